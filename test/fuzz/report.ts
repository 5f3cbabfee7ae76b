// How a failing case's content is printed: JSON-escaped (CRs, NULs and bad bytes stay visible), cut at 4,000 characters.
export function showContent(content: string | Uint8Array): string {
  const text = typeof content === 'string' ? content : `(bytes, latin1) ${Array.from(content.subarray(0, 4000), (b) => String.fromCharCode(b)).join('')}`;
  return text.length <= 4000 ? JSON.stringify(text) : `${JSON.stringify(text.slice(0, 4000))} … (${text.length} characters)`;
}
