// Regression tests for hostile .system input (issue "Hostile input"): each once took quadratic time
// or failed outright.
import { strict as assert } from 'assert';
import { MemoryFileHost } from '../../../src/common/host';
import { lintSystemFile } from '../../../src/system/index';
import { withCpuMillis } from '../../cpu-time';

describe('system: hostile input', () => {
  it('one memory region mapped 16,000 times is checked in linear time (it took 13 s)', () => {
    const maps = Array.from({ length: 16_000 }, (_, i) => `    <map mr="big" vaddr="0x${(0x10000000 + i * 0x1000).toString(16)}" perms="rw"/>`).join('\n');
    const text = `<system>\n  <memory_region name="big" size="0x1000"/>\n  <protection_domain name="p" priority="100">\n    <program_image path="p.elf"/>\n${maps}\n  </protection_domain>\n</system>\n`;
    const host = new MemoryFileHost({ '/w/maps.system': text });
    const { result, cpuMs } = withCpuMillis(() => lintSystemFile('/w/maps.system', host));
    assert.deepEqual(
      result.filter((d) => d.severity === 'error'),
      [],
    );
    assert.ok(cpuMs < 8000, `${cpuMs} ms of CPU`);
  });
});
