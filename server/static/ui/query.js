// The query page: YASGUI on this server's /sparql, and the gallery of example queries.
// Nothing here reaches another host: prefix and vocabulary look-ups (prefix.cc, LOV) are off.
(function () {
  "use strict";
  var root = document.getElementById("yasgui");
  var Yasgui = window.Yasgui && (window.Yasgui.default || window.Yasgui);
  if (!root || typeof Yasgui !== "function") {
    return;
  }
  var endpoint = new URL("sparql", document.baseURI).href;
  var examples = JSON.parse(document.getElementById("examples").textContent);
  var byName = {};
  examples.forEach(function (e) { byName[e.name] = e; });

  var yasgui = new Yasgui(root, {
    persistenceId: "ofsted-kg",
    autofocus: false,
    copyEndpointOnNewTab: true,
    requestConfig: { endpoint: endpoint, method: "POST" },
    endpointCatalogueOptions: { getData: function () { return [{ endpoint: endpoint }]; } },
    yasqe: {
      // Local completers only: "class" and "property" ask Linked Open Vocabularies over the web.
      autocompleters: ["prefixes", "variables"],
      prefixCcApi: null
    },
    yasr: { prefixes: {} }
  });

  // The open tab (a restored one too) queries this server; a new visitor starts on the first example.
  var tab = yasgui.getTab();
  if (tab.getEndpoint() !== endpoint) {
    tab.setEndpoint(endpoint);
  }
  var query = tab.getQuery();
  if (examples.length && (!query.trim() || query.indexOf("?sub ?pred ?obj") >= 0)) {
    tab.setQuery(examples[0].query);
  }

  // Results in the table's simple view (plain values) unless the visitor chose otherwise.
  var yasr = tab.getYasr && tab.getYasr();
  var table = yasr && yasr.config && yasr.config.plugins && yasr.config.plugins.table;
  if (table && !table.dynamicConfig) {
    yasr.storePluginConfig("table", { compact: true });
  }
  if (yasr && yasr.plugins && yasr.plugins.table && yasr.plugins.table.persistentConfig) {
    if (yasr.plugins.table.persistentConfig.compact === undefined) {
      yasr.plugins.table.persistentConfig.compact = true;
    }
  }

  // Result IRIs minted by this graph link to this server's own pages (/id/... answers with a
  // redirect to the page), not to the base IRI's host, which may not reach this server.
  var base = root.dataset.base || "";
  var here = new URL(".", document.baseURI).href;
  function localise(scope) {
    if (!base || base === here) {
      return;
    }
    scope.querySelectorAll("a[href]").forEach(function (a) {
      var href = a.getAttribute("href");
      if (href.indexOf(base) === 0) {
        a.setAttribute("href", here + href.slice(base.length));
        a.setAttribute("title", href);
      }
    });
  }
  new MutationObserver(function () { localise(root); })
    .observe(root, { childList: true, subtree: true });

  function run(name) {
    var example = byName[name];
    if (!example) {
      return;
    }
    var current = yasgui.getTab();
    current.setEndpoint(endpoint);
    current.setQuery(example.query);
    current.query();
    document.getElementById("editor-heading").scrollIntoView({ behavior: "smooth" });
  }

  document.querySelectorAll("button.run-example").forEach(function (button) {
    button.addEventListener("click", function () { run(button.dataset.example); });
  });
})();
