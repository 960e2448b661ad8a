// The snippet editor: CodeMirror 6, bundled by esbuild into node_modules/.sima/editor.js
// (`npm run build`, which `make setup` runs; see ../build.mjs) and served by the site
// itself as assets/vendor/editor.js, which runner/code.mjs imports on demand (when a
// reader reaches for a block's code, or once Python is in).
// Colours come from mkdocs-material's CSS variables, so the editor follows the light
// and dark palettes without code.
import { defaultKeymap, history, historyKeymap, indentWithTab } from "@codemirror/commands";
import { python } from "@codemirror/lang-python";
import {
  bracketMatching,
  HighlightStyle,
  indentOnInput,
  indentUnit,
  syntaxHighlighting,
} from "@codemirror/language";
import { EditorState } from "@codemirror/state";
import {
  drawSelection,
  EditorView,
  highlightActiveLine,
  highlightActiveLineGutter,
  keymap,
  lineNumbers,
} from "@codemirror/view";
import { tags as t } from "@lezer/highlight";

const v = (name) => `var(--md-code-hl-${name}-color)`;

const highlight = HighlightStyle.define([
  { tag: [t.keyword, t.controlKeyword, t.definitionKeyword, t.moduleKeyword], color: v("keyword") },
  { tag: [t.string, t.special(t.string)], color: v("string") },
  { tag: [t.number, t.bool, t.null], color: v("number") },
  { tag: [t.comment, t.lineComment], color: v("comment"), fontStyle: "italic" },
  { tag: [t.function(t.variableName), t.function(t.propertyName)], color: v("function") },
  { tag: [t.definition(t.variableName), t.className], color: v("name") },
  { tag: [t.operator, t.punctuation], color: v("punctuation") },
  { tag: [t.constant(t.variableName), t.standard(t.variableName)], color: v("constant") },
]);

const theme = EditorView.theme({
  "&": {
    color: "var(--md-code-fg-color)",
    backgroundColor: "var(--md-code-bg-color)",
    fontSize: ".85em",
  },
  ".cm-content": {
    fontFamily: "var(--md-code-font-family)",
    caretColor: "var(--md-code-fg-color)",
  },
  ".cm-gutters": {
    backgroundColor: "var(--md-code-bg-color)",
    color: "var(--sima-code-muted, var(--md-default-fg-color--light))",
    border: "none",
  },
  // The line being edited is marked in the gutter (its number in full colour on a
  // tint) and by a thin bar: a tint behind the code itself would take the highlighted
  // words below 4.5:1.
  ".cm-activeLine": {
    backgroundColor: "transparent",
    boxShadow: "inset .15em 0 var(--md-code-hl-color, #2977ff)",
  },
  ".cm-activeLineGutter": {
    color: "var(--md-code-fg-color)",
    backgroundColor: "var(--md-code-hl-color--light, rgba(127,127,127,.12))",
  },
  "&.cm-focused": { outline: "2px solid var(--md-accent-fg-color)" },
  ".cm-cursor": { borderLeftColor: "var(--md-code-fg-color)" },
  "&.cm-focused .cm-selectionBackground, .cm-selectionBackground": {
    backgroundColor: "var(--md-code-hl-color, rgba(127,127,127,.3)) !important",
  },
});

/**
 * Mount an editor in `parent` holding `doc`.
 * @param {HTMLElement} parent
 * @param {string} doc
 * @param {{onRun: () => void, onEscape: () => void, label: string, describedBy?: string}} options
 *   describedBy: the id of the text that tells how to use and leave the editor
 */
export function createEditor(parent, doc, options) {
  const keys = [
    { key: "Mod-Enter", run: () => (options.onRun(), true) },
    { key: "Escape", run: () => (options.onEscape(), true) },
  ];
  const view = new EditorView({
    parent,
    state: EditorState.create({
      doc,
      extensions: [
        lineNumbers(),
        highlightActiveLineGutter(),
        highlightActiveLine(),
        history(),
        drawSelection(),
        indentOnInput(),
        bracketMatching(),
        indentUnit.of("    "),
        EditorState.tabSize.of(4),
        python(),
        syntaxHighlighting(highlight),
        theme,
        keymap.of([...keys, ...defaultKeymap, ...historyKeymap, indentWithTab]),
        // tabindex: the editable content is focusable anyway; saying so lets checkers
        // see that the scroller around it is reachable by keyboard.
        EditorView.contentAttributes.of({
          tabindex: "0",
          "aria-label": options.label,
          ...(options.describedBy ? { "aria-describedby": options.describedBy } : {}),
        }),
      ],
    }),
  });
  return {
    view,
    getValue: () => view.state.doc.toString(),
    setValue: (text) =>
      view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } }),
    focus: () => view.focus(),
  };
}
