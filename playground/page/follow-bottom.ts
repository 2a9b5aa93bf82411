/**
 * Keeps a scrolled conversation at its end while it grows (a new turn, streamed tokens), unless the
 * reader has scrolled up to read something earlier.
 */
import { useLayoutEffect, useRef } from "react";

/** How close to the end, in pixels, still counts as "at the end". */
const NEAR_END_PX = 120;

/** Scrolls the closest scrolling ancestor of the returned ref's element to its end whenever `growth` changes, if it was at the end. */
export function useFollowBottom<T extends HTMLElement>(growth: unknown) {
  const anchor = useRef<T>(null);
  const atEnd = useRef(true);
  useLayoutEffect(() => {
    const scroller = anchor.current?.closest("main");
    if (!scroller) return;
    const onScroll = () => {
      atEnd.current = scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < NEAR_END_PX;
    };
    scroller.addEventListener("scroll", onScroll, { passive: true });
    return () => scroller.removeEventListener("scroll", onScroll);
  }, []);
  useLayoutEffect(() => {
    const scroller = anchor.current?.closest("main");
    if (scroller && atEnd.current) scroller.scrollTop = scroller.scrollHeight;
  }, [growth]);
  return anchor;
}
