// Mermaid from the site itself (assets/vendor/mermaid/, pinned in docs-build/package-lock.json),
// loaded only when a page has a diagram. Material for MkDocs renders `pre.mermaid` blocks with
// the global `mermaid` if there is one, else it loads mermaid@11 from unpkg: this defines that
// global first, with the two calls Material makes (initialize, then render), and imports the
// real one on the first render.
(() => {
  const url = new URL("../assets/vendor/mermaid/mermaid.esm.min.mjs", document.currentScript.src).href;
  let config = {};
  let loaded;
  const load = () =>
    (loaded ??= import(url).then(({ default: mermaid }) => {
      mermaid.initialize(config);
      return mermaid;
    }));
  window.mermaid = {
    initialize(options) {
      config = options;
    },
    render: (...args) => load().then((mermaid) => mermaid.render(...args)),
  };
})();
