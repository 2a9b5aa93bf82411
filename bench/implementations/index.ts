import { bareLangGraph } from "./bare-langgraph.js";
import { chatOpenAIPromiseAll } from "./chat-openai.js";
import { langgraphMoA } from "./langgraph-moa.js";
import { rawOpenAI } from "./raw-openai.js";
import type { Implementation } from "./shape.js";

/** The implementations of a turn, from the floor up: HTTP client, LangChain model layer, LangGraph, this library. */
export const IMPLEMENTATIONS: readonly Implementation[] = [rawOpenAI, chatOpenAIPromiseAll, bareLangGraph, langgraphMoA];
