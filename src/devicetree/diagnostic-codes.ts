// Codes of the devicetree front end's own diagnostics (dtc's checks have their names as codes:
// checks/check-names.ts). Each is an error dtc reports before its checks run.

export const FRONT_END_CODES = {
  syntax: 'the source does not parse: a lexical or grammar error, a value out of range for its cell size',
  include: 'an /include/ or #include that cannot be opened, or includes nested too deeply',
  io: 'an input file that cannot be read',
  symbols: 'a label that is already in /__symbols__ (with -@)',
  unresolved_reference: 'a reference to a label or path the tree does not have',
  incbin: 'a file /incbin/ names that cannot be opened',
  fixups: 'a property name that cannot be written to /__fixups__ (it contains a colon)',
} as const;

export type FrontEndCode = keyof typeof FRONT_END_CODES;

declare module '../common/diagnostics' {
  interface DiagnosticCodes extends Record<FrontEndCode, true> {}
}
