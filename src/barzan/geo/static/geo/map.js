/*
 * Area maps: Leaflet with GeoJSON layers only — no tiles, nothing from the internet.
 * A map container names the GeoJSON to draw in data-geojson; the area's own outline
 * (role "self") is drawn as a frame, the areas around it (role "sibling") faint, and its
 * children as filled shapes or dots that link to their pages; synthetic shapes are dashed.
 * Names from the server are shown as text, never as HTML. What the map must say in words
 * (shapes missing, synthetic, credits) is written by the page beside it.
 *
 * Other scripts (the profile's choropleth) draw on the same map: `BarzanMap.draw(container,
 * options)` returns a promise of {map, layer, collection}; `options.style(feature)` may
 * restyle the children and `options.tooltip(feature)` give their tooltip text.
 */
(function () {
  "use strict";

  // Class names let tests and styles tell the roles apart.
  var SELF = { color: "#334155", weight: 2, fill: false, dashArray: "4 3", interactive: false, className: "map-self" };
  var CHILD = { color: "#0f766e", weight: 1, fillColor: "#14b8a6", fillOpacity: 0.28, className: "map-child" };
  var SIBLING = { color: "#94a3b8", weight: 1, fillColor: "#cbd5e1", fillOpacity: 0.15, className: "map-sibling" };
  var HOVER = { weight: 2.5, fillOpacity: 0.5 };
  var SIBLING_HOVER = { weight: 1.5, fillOpacity: 0.3 };

  // Leaflet puts a string given to a tooltip or popup into the page as HTML: an area's name
  // typed as "<img src=x onerror=…>" would run. Give it an element holding the name as text.
  function textTooltip(text) {
    var element = document.createElement("span");
    element.textContent = text == null ? "" : String(text);
    return element;
  }

  // Follow only links to this site's own pages: never a javascript: or another host's URL.
  function sameOriginPage(url) {
    if (!url) return null;
    var target;
    try { target = new URL(url, window.location.href); } catch (error) { return null; }
    return target.origin === window.location.origin ? target.href : null;
  }

  function baseStyle(feature) {
    var role = feature.properties.role;
    var style = role === "self" ? SELF : role === "sibling" ? SIBLING : CHILD;
    if (feature.properties.synthetic && role !== "self") {
      style = Object.assign({}, style, { dashArray: "3 3" });
    }
    return style;
  }

  function draw(container, options) {
    options = options || {};
    var status = container.parentElement.querySelector("[data-map-status]");
    var map = L.map(container, {
      attributionControl: false,
      zoomSnap: 0.25,
      preferCanvas: false,
    });
    var syntheticLabel = container.dataset.syntheticLabel || "";
    return fetch(container.dataset.geojson, { credentials: "same-origin", headers: { Accept: "application/geo+json" } })
      .then(function (response) {
        if (!response.ok) throw new Error(response.status);
        return response.json();
      })
      .then(function (collection) {
        var children = collection.features.filter(function (f) { return f.properties.role === "child"; });
        var focus = collection.features.filter(function (f) { return f.properties.role !== "sibling"; });
        function tooltipText(feature) {
          var text = feature.properties.name;
          if (feature.properties.role === "child" && options.tooltip) text = options.tooltip(feature);
          if (feature.properties.synthetic && syntheticLabel) text += " (" + syntheticLabel + ")";
          return text;
        }
        function styleOf(feature) {
          var style = baseStyle(feature);
          if (feature.properties.role === "child" && options.style) {
            style = Object.assign({}, style, options.style(feature));
          }
          return style;
        }
        var layer = L.geoJSON(collection, {
          style: styleOf,
          pointToLayer: function (feature, latlng) {
            var role = feature.properties.role;
            return L.circleMarker(latlng, {
              radius: role === "sibling" ? 3 : 5, color: role === "sibling" ? "#94a3b8" : "#0f766e",
              weight: 1, fillColor: role === "sibling" ? "#cbd5e1" : "#14b8a6", fillOpacity: 0.8,
              className: role === "sibling" ? "map-sibling" : "map-child",
            });
          },
          onEachFeature: function (feature, shape) {
            var role = feature.properties.role;
            if (role === "self") return;
            shape.bindTooltip(textTooltip(tooltipText(feature)), { sticky: true, direction: "top" });
            shape.on("click", function () {
              var target = sameOriginPage(feature.properties.url);
              if (target) window.location.href = target;
            });
            shape.on("mouseover", function () {
              if (shape.setStyle) shape.setStyle(role === "sibling" ? SIBLING_HOVER : HOVER);
            });
            shape.on("mouseout", function () { if (shape.setStyle) shape.setStyle(styleOf(feature)); });
          },
        }).addTo(map);
        // The areas around stay behind the area itself and its children.
        layer.eachLayer(function (shape) {
          if (shape.feature.properties.role === "sibling" && shape.bringToBack) shape.bringToBack();
        });
        container.dataset.features = String(children.length);
        container.dataset.siblings = String(collection.features.length - focus.length);
        if (focus.length) {
          // Frame the area itself, with a margin where its surroundings show.
          var bounds = L.geoJSON({ type: "FeatureCollection", features: focus }).getBounds();
          map.fitBounds(bounds.pad(children.length ? 0.08 : 0.6), { padding: [12, 12] });
        } else if (collection.features.length) {
          map.fitBounds(layer.getBounds(), { padding: [12, 12] });
        } else {
          map.setView([32.5, 53.7], 5);
        }
        if (status) {
          var note = collection.features.length ? "" : container.dataset.emptyText;
          status.textContent = note;
          status.hidden = !note;
        }
        container.dataset.loaded = "1";
        // Shade the children again (another figure chosen): styles and tooltips.
        function restyle() {
          layer.eachLayer(function (shape) {
            if (shape.feature.properties.role !== "child") return;
            if (shape.setStyle) shape.setStyle(styleOf(shape.feature));
            shape.setTooltipContent(textTooltip(tooltipText(shape.feature)));
          });
        }
        return { map: map, layer: layer, collection: collection, restyle: restyle };
      })
      .catch(function (error) {
        if (status) { status.textContent = container.dataset.errorText; status.hidden = false; }
        container.dataset.loaded = "error";
        throw error;
      });
  }

  function drawMap(container) {
    if (container.dataset.ready) return;
    container.dataset.ready = "1";
    draw(container).catch(function () { /* said in the status line */ });
  }

  window.BarzanMap = { draw: draw, textTooltip: textTooltip };

  function init(root) {
    // Maps with a script of their own (data-map-owner) are drawn by that script.
    (root || document).querySelectorAll("[data-geojson]:not([data-map-owner])").forEach(drawMap);
  }
  document.addEventListener("DOMContentLoaded", function () { init(); });
})();
