// How a span of lines reads to the user: "18" for one line, "10-17" for several. Lines come 0-based (as in the
// protocol) and read 1-based. Pure: shared by the extension and the webviews.

/** "18" or "10-17" for 0-based inclusive lines. */
export function lineSpan(startLine: number, endLine: number): string {
  return endLine > startLine ? `${startLine + 1}-${endLine + 1}` : `${startLine + 1}`;
}

/** "line 18" or "lines 10-17". */
export function linesLabel(startLine: number, endLine: number): string {
  return `${endLine > startLine ? 'lines' : 'line'} ${lineSpan(startLine, endLine)}`;
}
