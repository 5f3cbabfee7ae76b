// One seeded mistake per rule of the microkit tool (REFERENCE.md section 8), asserting the message
// and the exact range it points at.

import * as assert from 'assert';
import { parseSystem } from '../../../src/system/parse';
import { assertDiagnostics, type Expected } from './helpers';

const FILE = '/t/test.system';

function check(text: string, expected: Expected[]): void {
  const { diagnostics } = parseSystem(FILE, text);
  assertDiagnostics(FILE, text, diagnostics, expected);
}

/** A minimal valid system with room for the seeded mistake. */
function sys(regions: string, pds: string, channels = ''): string {
  return `<?xml version="1.0"?>\n<system>\n${regions}\n${pds}\n${channels}\n</system>\n`;
}
const PD = (name: string, body = '', attrs = '') =>
  `  <protection_domain name="${name}" ${attrs}>\n    <program_image path="${name}.elf" />\n${body}  </protection_domain>\n`;

describe('system rules (microkit tool)', () => {
  it('accepts a valid system with no diagnostics', () => {
    check(
      sys(
        '<memory_region name="a" size="0x1000" />',
        PD('p', '    <map mr="a" vaddr="0x1000000" />\n') + PD('q'),
        '<channel><end pd="p" id="0" /><end pd="q" id="0" /></channel>',
      ),
      [],
    );
  });

  it('unknown attribute is an error on its name', () => {
    check(sys('', PD('p', '', 'colour="red"')), [
      { code: 'sdf-invalid-attribute', message: "invalid attribute 'colour' on element 'protection_domain'", at: 'colour' },
    ]);
  });

  it('missing required attribute is an error on the element name', () => {
    check(sys('<memory_region name="a" />', PD('p', '    <map mr="a" vaddr="0x0" />\n')), [
      { code: 'sdf-missing-attribute', message: "size must be specified if memory region is not prefilled on element 'memory_region'", at: 'memory_region' },
    ]);
    check(sys('<memory_region name="a" size="0x1000" />', PD('p', '    <map vaddr="0x0" />\n')), [
      { code: 'sdf-missing-attribute', message: "Missing required attribute 'mr' on element 'map'", at: 'map' },
      { severity: 'warning', code: 'sdf-unused-mr', message: "unused memory region 'a'", at: 'a', in: '"a"' },
    ]);
  });

  it('a number that does not parse', () => {
    check(sys('<memory_region name="a" size="0x10g0" />', PD('p', '    <map mr="a" vaddr="0x0" />\n')), [
      { code: 'sdf-invalid-number', message: "failed to parse integer '0x10g0'", at: '0x10g0' },
    ]);
  });

  it('numbers may contain underscores', () => {
    const { model, diagnostics } = parseSystem(FILE, sys('<memory_region name="a" size="0x1_000" />', PD('p', '    <map mr="a" vaddr="0x4_000_000" />\n')));
    assert.deepStrictEqual(diagnostics, []);
    assert.strictEqual(model.memoryRegions[0].size, 0x1000);
    assert.strictEqual(model.protectionDomains[0].maps[0].vaddr, 0x4000000);
  });

  it('priority above 254', () => {
    check(sys('', PD('p', '', 'priority="255"')), [{ code: 'sdf-out-of-range', message: 'priority must be between 0 and 254', at: '255' }]);
  });

  it('budget greater than period', () => {
    check(sys('', PD('p', '', 'budget="2000" period="1000"')), [
      { code: 'sdf-budget-period', message: 'budget (2000) must be less than, or equal to, period (1000)', at: '2000' },
    ]);
  });

  it('a boolean that is not true/false', () => {
    check(sys('', PD('p', '', 'passive="yes"')), [{ code: 'sdf-invalid-boolean', message: "passive must be 'true' or 'false'", at: 'yes' }]);
  });

  it('write-only map is rejected', () => {
    check(sys('<memory_region name="a" size="0x1000" />', PD('p', '    <map mr="a" vaddr="0x0" perms="w" />\n')), [
      { code: 'sdf-write-only-map', message: "perms must not be 'w'", at: 'w', in: 'perms="w"' },
    ]);
  });

  it('perms with other letters', () => {
    const text = sys('<memory_region name="a" size="0x1000" />', PD('p', '    <map mr="a" vaddr="0x0" perms="rq" />\n'));
    check(text, [{ code: 'sdf-invalid-perms', message: "perms must only be a combination of 'r', 'w', and 'x'", at: 'rq' }]);
  });

  it('memory region size not a multiple of its page size', () => {
    check(sys('<memory_region name="a" size="0x1800" />', PD('p', '    <map mr="a" vaddr="0x0" />\n')), [
      { code: 'sdf-alignment', message: 'size is not a multiple of the page size (0x1000)', at: '0x1800' },
    ]);
  });

  it('unsupported page size', () => {
    check(sys('<memory_region name="a" size="0x10000" page_size="0x10000" />', PD('p', '    <map mr="a" vaddr="0x0" />\n')), [
      { code: 'sdf-page-size', message: 'page size 0x10000 not supported', at: '0x10000', occurrence: 2 },
    ]);
  });

  it('phys_addr not page aligned', () => {
    check(sys('<memory_region name="a" size="0x1000" phys_addr="0x30860800" />', PD('p', '    <map mr="a" vaddr="0x0" />\n')), [
      { code: 'sdf-alignment', message: 'phys_addr is not aligned to the page size', at: '0x30860800' },
    ]);
  });

  it('map vaddr not aligned to the region page size', () => {
    check(sys('<memory_region name="a" size="0x200000" page_size="0x200000" />', PD('p', '    <map mr="a" vaddr="0x40001000" />\n')), [
      {
        code: 'sdf-map-alignment',
        message: "invalid vaddr alignment on 'map': 0x40001000 is not a multiple of the page size 0x200000 of 'a'",
        at: '0x40001000',
      },
    ]);
  });

  it('overlapping maps in one protection domain', () => {
    check(
      sys(
        '<memory_region name="a" size="0x2000" />\n<memory_region name="b" size="0x1000" />',
        PD('p', '    <map mr="a" vaddr="0x4000000" />\n    <map mr="b" vaddr="0x4001000" />\n'),
      ),
      [
        {
          code: 'sdf-map-overlap',
          message:
            "map for 'b' has virtual address range [0x4001000..0x4002000) which overlaps with map for 'a' [0x4000000..0x4002000) in protection domain 'p'",
          at: '0x4001000',
        },
      ],
    );
  });

  it('overlapping maps in one virtual machine', () => {
    const vm =
      '    <virtual_machine name="vm"><vcpu id="0" />\n      <map mr="a" vaddr="0x40000000" />\n      <map mr="a" vaddr="0x40000000" />\n    </virtual_machine>\n';
    check(sys('<memory_region name="a" size="0x1000" />', PD('p', vm)), [
      { code: 'sdf-map-overlap', message: "in virtual machine 'vm'", at: '0x40000000', occurrence: 2 },
    ]);
  });

  it('map of an unknown memory region', () => {
    check(sys('', PD('p', '    <map mr="nope" vaddr="0x0" />\n')), [
      { code: 'sdf-unknown-mr', message: "invalid memory region name 'nope' on 'map'", at: 'nope' },
    ]);
  });

  it('overlapping physical regions', () => {
    check(
      sys(
        '<memory_region name="a" size="0x2000" phys_addr="0x30000000" />\n<memory_region name="b" size="0x1000" phys_addr="0x30001000" />',
        PD('p', '    <map mr="a" vaddr="0x0" />\n    <map mr="b" vaddr="0x10000" />\n'),
      ),
      [
        {
          code: 'sdf-phys-overlap',
          message: "memory region 'b' physical address range [0x30001000..0x30002000) overlaps with another memory region 'a' [0x30000000..0x30002000)",
          at: '0x30001000',
        },
      ],
    );
  });

  it('duplicate protection domain, memory region and VM names', () => {
    const vm = (n: string) => `    <virtual_machine name="${n}"><vcpu id="0" /></virtual_machine>\n`;
    const pd = (n: string, body: string) => `  <protection_domain name="${n}">\n    <program_image path="x.elf" />\n${body}  </protection_domain>\n`;
    check(
      sys(
        '<memory_region name="mrx" size="0x1000" />\n<memory_region name="mrx" size="0x1000" />',
        pd('pdx', '    <map mr="mrx" vaddr="0x0" />\n' + vm('vmx')) + pd('pdx', vm('vmx')),
      ),
      [
        { code: 'sdf-duplicate-name', message: "duplicate memory region name 'mrx'", at: 'mrx', in: 'name="mrx"', inOccurrence: 2 },
        { code: 'sdf-duplicate-name', message: "duplicate protection domain name 'pdx'", at: 'pdx', in: 'name="pdx"', inOccurrence: 2 },
        { code: 'sdf-duplicate-name', message: "duplicate virtual machine name 'vmx'", at: 'vmx', in: 'name="vmx"', inOccurrence: 2 },
      ],
    );
  });

  it('channel id above 61', () => {
    check(sys('', PD('p') + PD('q'), '<channel><end pd="p" id="62" /><end pd="q" id="0" /></channel>'), [
      { code: 'sdf-out-of-range', message: "id must be < 62 on element 'end'", at: '62' },
    ]);
  });

  it('duplicate channel id in one protection domain (IRQ ids share the space)', () => {
    check(sys('', PD('p', '    <irq irq="33" id="3" />\n') + PD('q'), '<channel><end pd="p" id="3" /><end pd="q" id="0" /></channel>'), [
      { code: 'sdf-duplicate-id', message: "duplicate channel id: 3 in protection domain: 'p'", at: '3', occurrence: 4 },
    ]);
  });

  it('duplicate IRQ numbers across the system', () => {
    check(sys('', PD('p', '    <irq irq="58" id="0" />\n') + PD('q', '    <irq irq="58" id="0" />\n')), [
      { code: 'sdf-duplicate-irq', message: "duplicate irq: 58 in protection domain: 'q' (already given to 'p')", at: '58', occurrence: 2 },
    ]);
  });

  it('irq trigger must be level or edge', () => {
    check(sys('', PD('p', '    <irq irq="58" id="0" trigger="rising" />\n')), [
      { code: 'sdf-invalid-trigger', message: "trigger must be either 'level' or 'edge'", at: 'rising' },
    ]);
  });

  it('duplicate vcpu id', () => {
    check(sys('', PD('p', '    <virtual_machine name="v"><vcpu id="1" /><vcpu id="1" /></virtual_machine>\n')), [
      { code: 'sdf-duplicate-id', message: "duplicate vcpu id 1 in virtual machine 'v'", at: '1', in: 'id="1"', inOccurrence: 2 },
    ]);
  });

  it('virtual machine without vcpu', () => {
    check(sys('', PD('p', '    <virtual_machine name="v"></virtual_machine>\n')), [
      { code: 'sdf-missing-vcpu', message: "missing 'vcpu' element on virtual_machine: 'v'", at: 'virtual_machine' },
    ]);
  });

  it('child protection domain ids are unique and distinct from vcpu ids', () => {
    const kids =
      '    <protection_domain name="c1" id="1"><program_image path="c.elf" /></protection_domain>\n' +
      '    <protection_domain name="c2" id="1"><program_image path="c.elf" /></protection_domain>\n' +
      '    <virtual_machine name="v"><vcpu id="1" /></virtual_machine>\n';
    check(sys('', PD('p', kids)), [
      { code: 'sdf-duplicate-id', message: 'clashes with virtual machine vcpu id', at: '1', in: 'id="1"' },
      { code: 'sdf-duplicate-id', message: "duplicate id: 1 in protection domain: 'p'", at: '1', in: 'id="1"', inOccurrence: 2 },
      { code: 'sdf-duplicate-id', message: 'clashes with virtual machine vcpu id', at: '1', in: 'id="1"', inOccurrence: 2 },
    ]);
  });

  it('pp only towards a strictly higher priority', () => {
    check(sys('', PD('p', '', 'priority="100"') + PD('q', '', 'priority="100"'), '<channel><end pd="p" id="0" pp="true" /><end pd="q" id="0" /></channel>'), [
      {
        code: 'sdf-pp-priority',
        message: 'PPCs must be to protection domains of strictly higher priorities; channel with PPC exists from pd p (priority: 100) to pd q (priority: 100)',
        at: 'true',
      },
    ]);
  });

  it('pp on the wrong end of a channel (the callee end)', () => {
    check(
      sys(
        '',
        PD('client', '', 'priority="10"') + PD('server', '', 'priority="100"'),
        '<channel><end pd="client" id="0" /><end pd="server" id="0" pp="true" /></channel>',
      ),
      [{ code: 'sdf-pp-wrong-end', message: `did you mean pp="true" on the end of 'client'?`, at: 'true' }],
    );
  });

  it('pp on both ends', () => {
    check(
      sys('', PD('p', '', 'priority="1"') + PD('q', '', 'priority="2"'), '<channel><end pd="p" id="0" pp="true" /><end pd="q" id="0" pp="true" /></channel>'),
      [
        { code: 'sdf-pp-bidirectional', message: 'cannot ppc bidirectionally', at: 'true', occurrence: 2 },
        { code: 'sdf-pp-wrong-end', message: 'from pd q (priority: 2) to pd p (priority: 1)', at: 'true', occurrence: 2 },
      ],
    );
  });

  it('channel with one end, and an end naming an unknown PD', () => {
    check(sys('', PD('p'), '<channel><end pd="p" id="0" /></channel>\n<channel><end pd="p" id="1" /><end pd="ghost" id="0" /></channel>'), [
      { code: 'sdf-channel-ends', message: 'exactly two end elements must be specified', at: 'channel' },
      { code: 'sdf-unknown-pd', message: "invalid PD name 'ghost'", at: 'ghost' },
    ]);
  });

  it('unused memory region is a warning', () => {
    check(sys('<memory_region name="spare" size="0x1000" />', PD('p')), [
      { severity: 'warning', code: 'sdf-unused-mr', message: "unused memory region 'spare'", at: 'spare' },
    ]);
  });

  it('missing program_image, unknown element, text inside an element', () => {
    check(sys('', '  <protection_domain name="p">\n    <thing />\n    stray\n  </protection_domain>'), [
      { code: 'sdf-invalid-element', message: "Invalid XML element 'thing'", at: 'thing' },
      { code: 'sdf-unexpected-text', message: "unexpected text found in element 'protection_domain'", at: 'stray' },
      { code: 'sdf-missing-program-image', message: "missing 'program_image' element on protection_domain: 'p'", at: 'protection_domain' },
    ]);
  });

  it('virtual machine outside a protection domain, and no protection domain at all', () => {
    check(sys('', '<virtual_machine name="v"><vcpu id="0" /></virtual_machine>'), [
      { code: 'sdf-invalid-element', message: 'virtual machine must be a child of a protection domain', at: 'virtual_machine' },
      { code: 'sdf-no-pd', message: 'at least one protection domain must be defined', at: 'system' },
    ]);
  });

  it('duplicate setvar symbol', () => {
    check(
      sys('<memory_region name="a" size="0x1000" />', PD('p', '    <map mr="a" vaddr="0x0" setvar_vaddr="x" />\n    <setvar symbol="x" region_paddr="a" />\n')),
      [{ code: 'sdf-duplicate-setvar', message: "setvar on symbol 'x' already exists", at: 'x', in: 'symbol="x"' }],
    );
  });

  it('program_image twice, virtual_machine twice', () => {
    const body =
      '    <program_image path="again.elf" />\n    <virtual_machine name="v1"><vcpu id="0" /></virtual_machine>\n    <virtual_machine name="v2"><vcpu id="0" /></virtual_machine>\n';
    check(sys('', PD('p', body)), [
      { code: 'sdf-duplicate-element', message: 'program_image must only be specified once', at: 'program_image', occurrence: 2 },
      { code: 'sdf-duplicate-element', message: 'virtual_machine must only be specified once', at: 'virtual_machine', in: '<virtual_machine name="v2"' },
    ]);
  });

  it('a channel from a protection domain to itself', () => {
    check(sys('', PD('p'), '<channel><end pd="p" id="0" /><end pd="p" id="1" /></channel>'), [
      { code: 'sdf-channel-self', message: "channel connects protection domain 'p' to itself", at: 'channel' },
    ]);
  });

  it('stack size out of range', () => {
    check(sys('', PD('p', '', 'stack_size="0x800"')), [
      { code: 'sdf-out-of-range', message: 'stack size must be between 0x1000 bytes and 0x1000000 bytes', at: '0x800' },
    ]);
  });

  it('accepts the legacy forms the corpus uses: pp on protection_domain, id on virtual_machine', () => {
    const text = sys('', PD('p', '    <virtual_machine name="v" id="0" />\n', 'pp="true"'));
    const { model, diagnostics } = parseSystem(FILE, text);
    assertDiagnostics(FILE, text, diagnostics, [
      { severity: 'info', code: 'sdf-legacy-form', message: "'pp' on protection_domain is the Microkit 1.x form", at: 'pp' },
      { severity: 'info', code: 'sdf-legacy-form', message: `Microkit 2.0 rejects it and wants <vcpu id="0" /> inside`, at: 'id', in: 'id="0"' },
    ]);
    assert.strictEqual(model.protectionDomains[0].legacyPp, true);
    assert.deepStrictEqual(
      model.virtualMachines[0].vcpus.map((v) => v.id),
      [0],
    );
  });
});
