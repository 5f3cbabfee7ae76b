// Regression tests for what the fuzzer (test/fuzz) found in the system loader: each threw.
import { strict as assert } from 'assert';
import { MemoryFileHost } from '../../../src/common/host';
import { lintSystemFile } from '../../../src/system/index';

describe('system: hostile input found by the fuzzer', () => {
  it('two virtual machines of one name, the guest RAM mapped in the second only: diagnostics, not a TypeError (fuzz case 1689515771:2422)', () => {
    const text = `<system>
  <memory_region name="ram" size="0x10000000" page_size="0x200000"/>
  <protection_domain name="vmm1" priority="100">
    <program_image path="vmm.elf"/>
    <virtual_machine name="vm" priority="50"><vcpu id="0"/></virtual_machine>
  </protection_domain>
  <protection_domain name="vmm2" priority="100">
    <program_image path="vmm.elf"/>
    <map mr="ram" vaddr="0x40000000" perms="rw"/>
    <virtual_machine name="vm" priority="50"><vcpu id="0"/><map mr="ram" vaddr="0x40000000" perms="rwx"/></virtual_machine>
  </protection_domain>
</system>
`;
    const ds = lintSystemFile('/w/s.system', new MemoryFileHost({ '/w/s.system': text }));
    assert.deepEqual(
      ds.map((d) => [d.code, d.range?.start.line]),
      [
        ['guest-ram-vmm', 4],
        ['project-no-dts', 4],
        ['project-no-dts', 9],
        ['sdf-duplicate-name', 9],
      ],
    );
  });
});
