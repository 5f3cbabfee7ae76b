// The only module that knows about @vscode/webview-ui-toolkit (deprecated upstream): the rest of the
// page asks for buttons, drop-downs and badges here, so another component library can replace it in
// this one file.
import { provideVSCodeDesignSystem, vsCodeBadge, vsCodeButton, vsCodeDropdown, vsCodeOption } from '@vscode/webview-ui-toolkit';

let registered = false;

export function registerComponents(): void {
  if (registered) return;
  registered = true;
  provideVSCodeDesignSystem().register(vsCodeButton(), vsCodeDropdown(), vsCodeOption(), vsCodeBadge());
}

export interface ButtonOptions {
  id: string;
  label: string;
  title: string;
  primary?: boolean;
  onClick: () => void;
}

export function button(o: ButtonOptions): HTMLElement {
  const b = document.createElement('vscode-button');
  b.id = o.id;
  b.textContent = o.label;
  b.title = o.title;
  b.setAttribute('aria-label', o.title);
  b.setAttribute('appearance', o.primary ? 'primary' : 'secondary');
  b.addEventListener('click', () => {
    if (!b.hasAttribute('disabled')) o.onClick();
  });
  return b;
}

export function setDisabled(el: HTMLElement, disabled: boolean): void {
  if (disabled) el.setAttribute('disabled', '');
  else el.removeAttribute('disabled');
}

export interface SelectOptions {
  id: string;
  label: string;
  options: { value: string; text: string }[];
  value: string;
  onChange: (value: string) => void;
}

/** A labelled drop-down; `setSelectOptions` replaces its options later (e.g. when guests appear). */
export function select(o: SelectOptions): HTMLElement {
  const wrap = document.createElement('label');
  wrap.className = 'control';
  const text = document.createElement('span');
  text.textContent = o.label;
  const d = document.createElement('vscode-dropdown') as HTMLElement & { value: string };
  d.id = o.id;
  d.setAttribute('aria-label', o.label);
  setSelectOptions(d, o.options, o.value);
  d.addEventListener('change', () => o.onChange(d.value));
  wrap.append(text, d);
  return wrap;
}

export function setSelectOptions(dropdown: HTMLElement, options: { value: string; text: string }[], value: string): void {
  const opts = options.map((op) => {
    const e = document.createElement('vscode-option');
    e.setAttribute('value', op.value);
    e.textContent = op.text;
    if (op.value === value) e.setAttribute('selected', '');
    return e;
  });
  dropdown.replaceChildren(...opts);
  (dropdown as HTMLElement & { value: string }).value = value;
}

export function selectValue(dropdown: HTMLElement): string {
  return (dropdown as HTMLElement & { value: string }).value;
}

export function badge(text: string, title: string): HTMLElement {
  const b = document.createElement('vscode-badge');
  b.textContent = text;
  b.title = title;
  return b;
}
