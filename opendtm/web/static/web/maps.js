// opendtm maps: Leaflet, drawn from the operation's own GeoJSON. No basemap is needed;
// an optional tile URL (data-basemap) adds one where connectivity allows.
const opendtmMaps = (() => {
  const TYPE_COLOURS = {
    camp: "#d95f02", collective_centre: "#7570b3", host_community: "#1b9e77",
    informal_settlement: "#e7298a", transit_centre: "#66a61e", other: "#666666",
  };
  const AREA_STYLE = { color: "#0b6e99", weight: 1, fillColor: "#0b6e99", fillOpacity: 0.08 };
  const FOCUS_STYLE = { color: "#1d2733", weight: 2.5, fill: false };

  function baseMap(element) {
    const map = L.map(element, { zoomSnap: 0.25, maxZoom: 18, attributionControl: true });
    map.attributionControl.setPrefix("");
    map.attributionControl.addAttribution("Boundaries: OCHA COD-AB");
    if (element.dataset.basemap) L.tileLayer(element.dataset.basemap, { maxZoom: 18 }).addTo(map);
    map.setView([0, 0], 2);
    return map;
  }

  async function getJSON(url) {
    const response = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } });
    if (!response.ok) throw new Error(`${response.status} for ${url}`);
    return response.json();
  }

  function url(base, params) {
    const query = new URLSearchParams(Object.entries(params).filter(([, value]) => value !== undefined && value !== ""));
    return `${base}?${query}`;
  }

  function note(element, text) {
    const box = document.createElement("div");
    box.className = "map-empty muted";
    box.textContent = text;
    element.after(box);
  }

  function escape(text) {
    const span = document.createElement("span");
    span.textContent = text;
    return span.innerHTML;
  }

  function areaLayer(collection, onClick, style = AREA_STYLE) {
    return L.geoJSON(collection, {
      style: () => style,
      onEachFeature: (feature, layer) => {
        layer.bindTooltip(`${escape(feature.properties.name)} <code>${escape(feature.properties.pcode)}</code>`, { sticky: true });
        layer.on({
          mouseover: () => layer.setStyle({ fillOpacity: 0.25 }),
          mouseout: () => layer.setStyle({ fillOpacity: style.fillOpacity ?? 0 }),
          click: () => onClick && onClick(feature),
        });
      },
    });
  }

  // Admin areas: one level at a time; clicking an area shows its children, or opens its page.
  async function areas(element) {
    if (!element) return;
    const map = baseMap(element);
    const base = element.dataset.areasUrl;
    const areaPage = (pcode) => element.dataset.areaUrl.replace("PCODE", encodeURIComponent(pcode));
    let current = null;
    if (element.dataset.focus) {
      const focus = await getJSON(url(base, { level: element.dataset.focusLevel, parent: element.dataset.focus }));
      if (focus.features.length) {
        const outline = areaLayer(focus, null, FOCUS_STYLE).addTo(map);
        map.fitBounds(outline.getBounds(), { padding: [10, 10] });
      }
    }
    async function show(level, parent) {
      const collection = await getJSON(url(base, { level, parent }));
      if (!collection.features.length) return false;
      if (current) current.remove();
      current = areaLayer(collection, async (feature) => {
        const deeper = element.dataset.focus ? false : await show(Number(level) + 1, feature.properties.pcode);
        if (!deeper) window.location.href = areaPage(feature.properties.pcode);
      }).addTo(map);
      map.fitBounds(current.getBounds(), { padding: [10, 10] });
      element.dataset.shownLevel = level;
      element.dataset.shownCount = collection.features.length;
      return true;
    }
    const shown = await show(element.dataset.level, element.dataset.parent);
    if (!shown && !element.dataset.focus) note(element, element.dataset.emptyText || "No boundaries to draw yet.");
  }

  function siteMarker(feature, latlng) {
    const colour = TYPE_COLOURS[feature.properties.type] || TYPE_COLOURS.other;
    return L.circleMarker(latlng, { radius: 6, color: "#fff", weight: 1, fillColor: colour, fillOpacity: 0.9 });
  }

  // Sites: clustered points over the admin 1 outlines, following the page's filters.
  async function sites(element) {
    if (!element) return;
    const map = baseMap(element);
    const sitePage = (code) => element.dataset.siteUrl.replace("CODE", encodeURIComponent(code));
    const outlines = await getJSON(url(element.dataset.areasUrl, { level: 1 }));
    areaLayer(outlines, null, { ...AREA_STYLE, fillOpacity: 0.03 }).addTo(map);
    const clusters = L.markerClusterGroup({ showCoverageOnHover: false, maxClusterRadius: 40 });
    map.addLayer(clusters);
    async function load() {
      const collection = await getJSON(`${element.dataset.sitesUrl}${window.location.search}`);
      clusters.clearLayers();
      const layer = L.geoJSON(collection, {
        pointToLayer: siteMarker,
        onEachFeature: (feature, marker) => {
          const p = feature.properties;
          marker.bindPopup(`<strong><a href="${sitePage(p.code)}">${escape(p.name)}</a></strong><br><code>${escape(p.code)}</code> · ${escape(p.type)} · ${escape(p.status)}`);
        },
      });
      clusters.addLayer(layer);
      element.dataset.siteCount = collection.features.length;
      if (collection.features.length) map.fitBounds(layer.getBounds(), { padding: [20, 20], maxZoom: 11 });
      else if (outlines.features.length) map.fitBounds(L.geoJSON(outlines).getBounds());
    }
    await load();
    document.body.addEventListener("htmx:afterSwap", (event) => { if (event.detail.target.id === "site-table") load(); });
  }

  // One site: its point over its admin area.
  async function site(element) {
    if (!element) return;
    const map = baseMap(element);
    let bounds = null;
    if (element.dataset.areasUrl) {
      const area = await getJSON(url(element.dataset.areasUrl, { level: element.dataset.level, parent: element.dataset.parent }));
      if (area.features.length) bounds = areaLayer(area, null).addTo(map).getBounds();
    }
    if (element.dataset.point) {
      const [lat, lon] = element.dataset.point.split(",").map(Number);
      L.circleMarker([lat, lon], { radius: 8, color: "#fff", weight: 2, fillColor: "#d95f02", fillOpacity: 1 }).addTo(map);
      bounds = bounds ? bounds.extend([lat, lon]) : L.latLngBounds([[lat, lon], [lat, lon]]);
    }
    if (bounds) map.fitBounds(bounds, { padding: [20, 20], maxZoom: 12 });
    else note(element, "No location recorded.");
  }

  // ---- Round coverage (tracking: the round page) ----
  // Areas coloured by assessed / newly assessed / expected but missing; for site assessments,
  // sites as points in the same colours. One FeatureCollection from data-coverage-url.
  const COVERAGE_COLOURS = { assessed: "#1d7a46", new: "#0b6e99", missing: "#a12a2a" };

  function coverageStyle(feature) {
    const colour = COVERAGE_COLOURS[feature.properties.state];
    if (!colour) return { color: "#8a96a3", weight: 0.5, fillOpacity: 0 };
    return { color: colour, weight: 1, fillColor: colour, fillOpacity: feature.properties.kind === "site" ? 0.9 : 0.35 };
  }

  async function coverage(element) {
    if (!element) return;
    const map = baseMap(element);
    const collection = await getJSON(element.dataset.coverageUrl);
    const layer = L.geoJSON(collection, {
      style: coverageStyle,
      pointToLayer: (feature, latlng) => L.circleMarker(latlng, { radius: 5, weight: 1, ...coverageStyle(feature), color: "#fff" }),
      onEachFeature: (feature, item) => {
        const p = feature.properties;
        item.bindTooltip(`${escape(p.name)} <code>${escape(p.pcode || p.code)}</code> · ${escape(p.state || "—")}`, { sticky: true });
      },
    }).addTo(map);
    element.dataset.featureCount = collection.features.length;
    if (collection.features.length) map.fitBounds(layer.getBounds(), { padding: [10, 10], maxZoom: 11 });
    else note(element, element.dataset.emptyText || "Nothing to draw yet.");
  }
  // ---- end of round coverage ----

  return { areas, sites, site, coverage };
})();
