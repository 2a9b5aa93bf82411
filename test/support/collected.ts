/**
 * Whether `ref`'s target is collected by a few full GCs (`gc`: the `--expose-gc` function), with a
 * short pause before each, for pending callbacks and timers. Few: the checks that use it need the
 * sockets of an HTTP pool, which close after about 4 s idle, to stay open throughout.
 */
export async function collected(ref: WeakRef<object>, gc: () => void): Promise<boolean> {
  for (let round = 0; round < 5; round++) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    gc();
    if (ref.deref() === undefined) return true;
  }
  return false;
}
