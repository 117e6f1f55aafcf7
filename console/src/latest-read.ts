/**
 * Orders overlapping reads of one thing. A page re-reads a job when its
 * events arrive, and answers can come back in another order than their
 * requests: shown as they come, an older answer ("pending") arriving after
 * a newer one ("validated") would stay on the page until the next event,
 * which for a final job never comes. Each read calls {@link LatestRead.begin}
 * and applies its answer only while the check it got is still true, that is
 * while no later read has begun.
 */
export class LatestRead {
  #seq = 0

  /** Begins a read; the returned check is true until another read begins. */
  begin (): () => boolean {
    const mine = ++this.#seq
    return () => mine === this.#seq
  }
}
