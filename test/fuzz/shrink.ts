// Delta debugging over a case's text: delete chunks (halves, quarters, ... single lines, single
// characters) while the case still fails the same way. Bytes (invalid UTF-8) are shrunk as bytes.

function toUnits(content: string | Uint8Array): { s: string; back: (s: string) => string | Uint8Array } {
  if (typeof content === 'string') return { s: content, back: (s) => s };
  let s = '';
  for (const b of content) s += String.fromCharCode(b);
  return { s, back: (x) => Uint8Array.from(x, (ch) => ch.charCodeAt(0)) };
}

/** ddmin-style deletion of `unit`-sized pieces (lines when `lines`, else characters). */
async function pass(
  items: string[],
  join: string,
  fails: (s: string) => Promise<boolean>,
  budget: { tries: number; max: number; until: number },
): Promise<string[]> {
  let n = 2;
  while (items.length >= 1 && budget.tries < budget.max && Date.now() < budget.until) {
    const chunk = Math.max(1, Math.ceil(items.length / n));
    let removed = false;
    for (let i = 0; i < items.length && budget.tries < budget.max && Date.now() < budget.until; i += chunk) {
      const cand = [...items.slice(0, i), ...items.slice(i + chunk)];
      budget.tries++;
      if (await fails(cand.join(join))) {
        items = cand;
        n = Math.max(n - 1, 2);
        removed = true;
        break;
      }
    }
    if (!removed) {
      if (chunk === 1) break;
      n = Math.min(items.length, n * 2);
    }
  }
  return items;
}

/**
 * Shrink `content` while `fails` holds: at most `maxTries` runs, and (a convenience of the long pass,
 * never a verdict: the result is a smaller failing case either way) until `deadline` (ms since epoch).
 */
export async function shrink(
  content: string | Uint8Array,
  fails: (c: string | Uint8Array) => Promise<boolean>,
  maxTries = 400,
  deadline = Infinity,
): Promise<{ content: string | Uint8Array; tries: number }> {
  const { s, back } = toUnits(content);
  const budget = { tries: 0, max: maxTries, until: deadline };
  const test = (x: string): Promise<boolean> => fails(back(x));
  let lines = await pass(s.split('\n'), '\n', test, budget);
  let text = lines.join('\n');
  // Long lines: shrink their characters.
  text = (await pass([...text], '', test, budget)).join('');
  lines = text.split('\n');
  return { content: back(lines.join('\n')), tries: budget.tries };
}
