// A vendor-style board tree, as Linux writes one for an SoC: a board .dts that #includes the SoC's
// .dtsi, which #includes a .dtsi per block (clocks, GPIO, serial, I2C, SPI, pinctrl, power) and
// dt-bindings headers of clock ids, GIC and GPIO flags, and pinmux macros (function-like, with
// arguments), as the i.MX trees do. One clock controller is referenced about 300 times (the
// MaaXBoard's `clk` has 297 references).
import { mkdirSync, writeFileSync } from 'fs';
import * as path from 'path';

export interface VendorTree {
  /** The board file (the one to open and edit). */
  board: string;
  files: string[];
  lines: number;
}

const BLOCKS = ['uart', 'i2c', 'spi', 'gpio', 'pwm', 'sai', 'usdhc'];
const PER_BLOCK = 40;

function header(guard: string, body: string[]): string {
  return [`#ifndef ${guard}`, `#define ${guard}`, '', ...body, '', `#endif`, ''].join('\n');
}

/** Write the tree into `dir`; about 5,000 lines of .dts/.dtsi and 700 of headers. */
export function writeVendorTree(dir: string): VendorTree {
  const files: Record<string, string> = {};
  const clockIds: string[] = [];
  for (const b of BLOCKS) for (let i = 0; i < PER_BLOCK; i++) clockIds.push(`SOC_CLK_${b.toUpperCase()}${i}_ROOT`);
  files['include/dt-bindings/clock/soc-clock.h'] = header('__DT_BINDINGS_CLOCK_SOC_H', [
    ...clockIds.map((c, i) => `#define ${c}\t\t${i + 10}`),
    `#define SOC_CLK_END\t\t${clockIds.length + 10}`,
  ]);
  files['include/dt-bindings/interrupt-controller/arm-gic.h'] = header('_DT_BINDINGS_INTERRUPT_CONTROLLER_ARM_GIC_H', [
    '#define GIC_SPI 0',
    '#define GIC_PPI 1',
    '#define IRQ_TYPE_EDGE_RISING 1',
    '#define IRQ_TYPE_EDGE_FALLING 2',
    '#define IRQ_TYPE_LEVEL_HIGH 4',
    '#define IRQ_TYPE_LEVEL_LOW 8',
    '#define GIC_CPU_MASK_SIMPLE(num) ((1 << (num)) - 1)',
  ]);
  files['include/dt-bindings/gpio/gpio.h'] = header('_DT_BINDINGS_GPIO_GPIO_H', [
    '#define GPIO_ACTIVE_HIGH 0',
    '#define GPIO_ACTIVE_LOW 1',
    '#define GPIO_PUSH_PULL 0',
    '#define GPIO_SINGLE_ENDED 2',
    '#define GPIO_OPEN_DRAIN (GPIO_SINGLE_ENDED | 4)',
  ]);
  // Pin macros expand to six cells, as imx8mq-pinfunc.h's do.
  const pins: string[] = [];
  for (let i = 0; i < 120; i++) pins.push(`#define SOC_PAD_P${i}__FUNC 0x${(0x30 + i * 4).toString(16)} 0x${(0x298 + i * 4).toString(16)} 0x000 0x0 0x0`);
  files['include/dt-bindings/pinctrl/soc-pinfunc.h'] = header('__DTS_SOC_PINFUNC_H', pins);

  files['soc-clocks.dtsi'] = [
    '/ {',
    '\tclocks {',
    '\t\tosc_25m: clock-osc-25m {',
    '\t\t\tcompatible = "fixed-clock";',
    '\t\t\t#clock-cells = <0>;',
    '\t\t\tclock-frequency = <25000000>;',
    '\t\t};',
    '\t};',
    '};',
    '',
    '&aips1 {',
    '\tclk: clock-controller@30380000 {',
    '\t\tcompatible = "vendor,soc-ccm";',
    '\t\treg = <0x30380000 0x10000>;',
    '\t\tinterrupts = <GIC_SPI 85 IRQ_TYPE_LEVEL_HIGH>, <GIC_SPI 86 IRQ_TYPE_LEVEL_HIGH>;',
    '\t\t#clock-cells = <1>;',
    '\t\tclocks = <&osc_25m>;',
    '\t\tclock-names = "osc_25m";',
    '\t};',
    '};',
    '',
  ].join('\n');
  files['soc-power.dtsi'] = [
    '&aips1 {',
    '\tgpc: gpc@303a0000 {',
    '\t\tcompatible = "vendor,soc-gpc";',
    '\t\treg = <0x303a0000 0x10000>;',
    '\t\tinterrupt-parent = <&gic>;',
    '\t\tinterrupt-controller;',
    '\t\t#interrupt-cells = <3>;',
    '\t\t#address-cells = <0>;',
    '\t\t#power-domain-cells = <1>;',
    '\t};',
    '};',
    '',
  ].join('\n');
  let irq = 20;
  for (const [k, b] of BLOCKS.entries()) {
    const out = ['/*', ` * ${b} controllers of the SoC.`, ' */', '', `&aips${(k % 3) + 1} {`];
    for (let i = 0; i < PER_BLOCK; i++) {
      const addr = (0x30800000 + k * 0x100000 + i * 0x10000).toString(16);
      out.push(
        `\t${b}${i}: ${b}@${addr} {`,
        `\t\tcompatible = "vendor,soc-${b}";`,
        `\t\treg = <0x${addr} 0x10000>;`,
        `\t\tinterrupts = <GIC_SPI ${irq++} IRQ_TYPE_LEVEL_HIGH>;`,
        `\t\tclocks = <&clk SOC_CLK_${b.toUpperCase()}${i}_ROOT>, <&clk SOC_CLK_${b.toUpperCase()}${(i + 1) % PER_BLOCK}_ROOT>;`,
        '\t\tclock-names = "ipg", "per";',
        `\t\tpower-domains = <&gpc ${k}>;`,
      );
      if (b === 'gpio') out.push('\t\tgpio-controller;', '\t\t#gpio-cells = <2>;');
      if (b === 'i2c' || b === 'spi') out.push('\t\t#address-cells = <1>;', '\t\t#size-cells = <0>;');
      out.push('\t\tstatus = "disabled";', '\t};', '');
    }
    out.push('};', '');
    files[`soc-${b}.dtsi`] = out.join('\n');
  }
  const pinctrl = ['&aips1 {', '\tiomuxc: pinctrl@30330000 {', '\t\tcompatible = "vendor,soc-iomuxc";', '\t\treg = <0x30330000 0x10000>;', '\t};', '};', ''];
  files['soc-pinctrl.dtsi'] = pinctrl.join('\n');

  const soc = [
    '#include <dt-bindings/clock/soc-clock.h>',
    '#include <dt-bindings/interrupt-controller/arm-gic.h>',
    '#include <dt-bindings/gpio/gpio.h>',
    '',
    '/ {',
    '\t#address-cells = <2>;',
    '\t#size-cells = <2>;',
    '\tinterrupt-parent = <&gpc>;',
    '',
    '\tgic: interrupt-controller@38800000 {',
    '\t\tcompatible = "arm,gic-v3";',
    '\t\treg = <0x0 0x38800000 0 0x10000>;',
    '\t\t#interrupt-cells = <3>;',
    '\t\t#address-cells = <0>;',
    '\t\tinterrupt-controller;',
    '\t\tinterrupts = <GIC_PPI 9 IRQ_TYPE_LEVEL_HIGH>;',
    '\t\tinterrupt-parent = <&gic>;',
    '\t};',
    '',
    '\tsoc@0 {',
    '\t\tcompatible = "simple-bus";',
    '\t\t#address-cells = <1>;',
    '\t\t#size-cells = <1>;',
    '\t\tranges = <0x0 0x0 0x0 0x3e000000>;',
  ];
  for (let a = 1; a <= 3; a++) {
    const base = (0x30000000 + (a - 1) * 0x400000 * 4).toString(16);
    soc.push(
      '',
      `\t\taips${a}: bus@${base} {`,
      '\t\t\tcompatible = "simple-bus";',
      '\t\t\t#address-cells = <1>;',
      '\t\t\t#size-cells = <1>;',
      `\t\t\tranges = <0x${base} 0x${base} 0x1000000>;`,
      '\t\t};',
    );
  }
  soc.push('\t};', '};', '', ...['clocks', 'power', 'pinctrl', ...BLOCKS].map((b) => `#include "soc-${b}.dtsi"`), '');
  files['soc.dtsi'] = soc.join('\n');

  const board = [
    '// SPDX-License-Identifier: (GPL-2.0+ OR MIT)',
    '/dts-v1/;',
    '',
    '#include <dt-bindings/pinctrl/soc-pinfunc.h>',
    '#include "soc.dtsi"',
    '',
    '/ {',
    '\tmodel = "Vendor SoC EVK";',
    '\tcompatible = "vendor,soc-evk", "vendor,soc";',
    '',
    '\tchosen {',
    '\t\tstdout-path = &uart0;',
    '\t};',
    '',
    '\tmemory@40000000 {',
    '\t\tdevice_type = "memory";',
    '\t\treg = <0x0 0x40000000 0 0xc0000000>;',
    '\t};',
    '};',
    '',
  ];
  for (const b of BLOCKS) {
    for (let i = 0; i < PER_BLOCK; i += 2) {
      board.push(
        `&${b}${i} {`,
        `\tpinctrl-names = "default";`,
        `\tpinctrl-0 = <&pinctrl_${b}${i}>;`,
        `\tassigned-clocks = <&clk SOC_CLK_${b.toUpperCase()}${i}_ROOT>;`,
        `\tassigned-clock-rates = <${100 + i}000000>;`,
        '\tstatus = "okay";',
        '};',
        '',
      );
    }
  }
  board.push('&iomuxc {');
  for (const b of BLOCKS) {
    for (let i = 0; i < PER_BLOCK; i += 2) {
      const p = (BLOCKS.indexOf(b) * PER_BLOCK + i) % 120;
      board.push(
        `\tpinctrl_${b}${i}: ${b}${i}grp {`,
        '\t\tfsl,pins = <',
        `\t\t\tSOC_PAD_P${p}__FUNC\t0x49`,
        `\t\t\tSOC_PAD_P${(p + 1) % 120}__FUNC\t0x49`,
        '\t\t>;',
        '\t};',
        '',
      );
    }
  }
  board.push('};', '');
  files['board.dts'] = board.join('\n');

  let lines = 0;
  const written: string[] = [];
  for (const [name, text] of Object.entries(files)) {
    const file = path.join(dir, name);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, text);
    written.push(file);
    if (!name.endsWith('.h')) lines += text.split('\n').length;
  }
  return { board: path.join(dir, 'board.dts'), files: written, lines };
}
