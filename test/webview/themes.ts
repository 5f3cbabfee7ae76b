// The --vscode-* variables the page uses, with the values of VS Code's default light, dark and
// high-contrast themes (what the workbench puts on the webview's <html> style).
export type ThemeName = 'light' | 'dark' | 'high-contrast';

const common = {
  '--vscode-font-family': 'system-ui, "Ubuntu", "Droid Sans", sans-serif',
  '--vscode-font-size': '13px',
  '--vscode-editor-font-family': '"Droid Sans Mono", "monospace", monospace',
  '--vscode-editor-font-size': '12px',
};

export const THEMES: Record<ThemeName, { bodyClass: string; vars: Record<string, string> }> = {
  light: {
    bodyClass: 'vscode-light',
    vars: {
      ...common,
      '--vscode-foreground': '#3b3b3b', '--vscode-descriptionForeground': '#717171',
      '--vscode-editor-background': '#ffffff', '--vscode-editorWidget-background': '#f8f8f8',
      '--vscode-editorWidget-border': '#c8c8c8', '--vscode-panel-border': '#e5e5e5', '--vscode-focusBorder': '#005fb8',
      '--vscode-button-background': '#005fb8', '--vscode-button-foreground': '#ffffff', '--vscode-button-hoverBackground': '#0258a8',
      '--vscode-button-secondaryBackground': '#e5e5e5', '--vscode-button-secondaryForeground': '#3b3b3b', '--vscode-button-secondaryHoverBackground': '#cccccc',
      '--vscode-dropdown-background': '#ffffff', '--vscode-dropdown-foreground': '#3b3b3b', '--vscode-dropdown-border': '#cecece',
      '--vscode-badge-background': '#cccccc', '--vscode-badge-foreground': '#3b3b3b',
      '--vscode-progressBar-background': '#005fb8', '--vscode-textCodeBlock-background': '#f0f0f0',
      '--vscode-editorWarning-foreground': '#bf8803', '--vscode-testing-iconPassed': '#388a34',
      '--vscode-editor-findMatchHighlightBackground': '#ea5c0055', '--vscode-charts-orange': '#d18616', '--vscode-charts-blue': '#1a85ff', '--vscode-charts-green': '#388a34',
      '--vscode-errorForeground': '#e51400', '--vscode-textLink-foreground': '#005fb8',
      '--vscode-list-activeSelectionBackground': '#e8e8e8', '--vscode-list-activeSelectionForeground': '#000000',
    },
  },
  dark: {
    bodyClass: 'vscode-dark',
    vars: {
      ...common,
      '--vscode-foreground': '#cccccc', '--vscode-descriptionForeground': '#9d9d9d',
      '--vscode-editor-background': '#1f1f1f', '--vscode-editorWidget-background': '#202020',
      '--vscode-editorWidget-border': '#454545', '--vscode-panel-border': '#2b2b2b', '--vscode-focusBorder': '#0078d4',
      '--vscode-button-background': '#0078d4', '--vscode-button-foreground': '#ffffff', '--vscode-button-hoverBackground': '#026ec1',
      '--vscode-button-secondaryBackground': '#313131', '--vscode-button-secondaryForeground': '#cccccc', '--vscode-button-secondaryHoverBackground': '#3c3c3c',
      '--vscode-dropdown-background': '#313131', '--vscode-dropdown-foreground': '#cccccc', '--vscode-dropdown-border': '#3c3c3c',
      '--vscode-badge-background': '#616161', '--vscode-badge-foreground': '#f8f8f8',
      '--vscode-progressBar-background': '#0078d4', '--vscode-textCodeBlock-background': '#2b2b2b',
      '--vscode-editorWarning-foreground': '#cca700', '--vscode-testing-iconPassed': '#73c991',
      '--vscode-editor-findMatchHighlightBackground': '#9e6a03', '--vscode-charts-orange': '#d18616', '--vscode-charts-blue': '#3794ff', '--vscode-charts-green': '#89d185',
      '--vscode-errorForeground': '#f85149', '--vscode-textLink-foreground': '#4daafc',
      '--vscode-list-activeSelectionBackground': '#04395e', '--vscode-list-activeSelectionForeground': '#ffffff',
    },
  },
  'high-contrast': {
    bodyClass: 'vscode-high-contrast',
    vars: {
      ...common,
      '--vscode-foreground': '#ffffff', '--vscode-descriptionForeground': '#ffffff',
      '--vscode-editor-background': '#000000', '--vscode-editorWidget-background': '#0c141f',
      '--vscode-editorWidget-border': '#6fc3df', '--vscode-panel-border': '#6fc3df', '--vscode-focusBorder': '#f38518', '--vscode-contrastBorder': '#6fc3df',
      '--vscode-button-background': '#000000', '--vscode-button-foreground': '#ffffff', '--vscode-button-border': '#6fc3df',
      '--vscode-button-secondaryBackground': '#000000', '--vscode-button-secondaryForeground': '#ffffff',
      '--vscode-dropdown-background': '#000000', '--vscode-dropdown-foreground': '#ffffff', '--vscode-dropdown-border': '#6fc3df',
      '--vscode-badge-background': '#000000', '--vscode-badge-foreground': '#ffffff',
      '--vscode-progressBar-background': '#6fc3df', '--vscode-textCodeBlock-background': '#000000',
      '--vscode-editorWarning-foreground': '#ffd370', '--vscode-testing-iconPassed': '#73c991',
      '--vscode-editor-findMatchHighlightBackground': '#f38518', '--vscode-charts-orange': '#d18616', '--vscode-charts-blue': '#3794ff', '--vscode-charts-green': '#89d185',
      '--vscode-errorForeground': '#f48771', '--vscode-textLink-foreground': '#21a6ff',
    },
  },
};
