// Notebook outputs carry Mermaid diagrams as ```mermaid code blocks (text/markdown).
// Turn them into the <pre class="mermaid"> blocks Material for MkDocs renders.
document.querySelectorAll("code.language-mermaid").forEach((code) => {
  const pre = document.createElement("pre");
  pre.className = "mermaid";
  const inner = document.createElement("code");
  inner.textContent = code.textContent;
  pre.appendChild(inner);
  (code.closest("pre") || code).replaceWith(pre);
});
