/** What a media element's `buffered` reports, from [start, end] pairs. */
export function ranges(...pairs: Array<[number, number]>): TimeRanges {
  return { length: pairs.length, start: (i: number) => pairs[i]![0], end: (i: number) => pairs[i]![1] };
}
