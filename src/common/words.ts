// Names as words, for matching names that people spell differently ("CLIENT_VMM-1", "client_vm_1",
// "virtio_blk@150000"): runs of letters and runs of digits, lower-cased; everything else separates.

export function nameWords(name: string): string[] {
  const out: string[] = [];
  let word = '';
  let digits = false;
  for (const ch of name.toLowerCase()) {
    const isDigit = ch >= '0' && ch <= '9';
    const isLetter = ch >= 'a' && ch <= 'z';
    if ((!isDigit && !isLetter) || (word !== '' && isDigit !== digits)) {
      if (word !== '') out.push(word);
      word = '';
    }
    if (isDigit || isLetter) {
      word += ch;
      digits = isDigit;
    }
  }
  if (word !== '') out.push(word);
  return out;
}
