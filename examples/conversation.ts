/**
 * Talk to a Mixture-of-Agents in the terminal: several models answer, refine each other's answers over
 * layers, and an aggregator writes the final answer, streamed token by token.
 *
 *   npm run conversation                              # models from the environment or a local Ollama
 *   npm run conversation -- --proposers openai:gpt-4o-mini,ollama:llama3.1 --aggregator openai:gpt-4o --layers 2
 *   npm run conversation -- --config moa.json --db chats.sqlite --resume <thread id>
 *   printf 'Why is the sky blue?\n' | npm run --silent conversation   # piped: answers on stdout
 *
 * `npm run conversation -- --help` lists every option; `/help` in the conversation lists the commands.
 * The parts live in examples/conversation/, one job per file.
 */
import { main } from "./conversation/main.js";

process.exitCode = await main(process.argv.slice(2));
// Don't wait for idle keep-alive sockets of the providers' clients; anything pending gets a moment.
setTimeout(() => process.exit(), 500).unref();
