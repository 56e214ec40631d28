// Trivselsguiden: the guide's evaluation rules in the browser, for the summary panel while
// the tablet is offline. A line-for-line port of app/guide/engine.py; tests/guide/
// test_js_parity.py runs both on generated observation sets and requires identical results.
// The server's result is always the one that is stored.
//
// Data shapes (as served by /offline/catalogs/{id}/{version}.json, see app/offline/guide_data.py):
//   catalog: {id, version, thresholds: {"2": n, "3": n, "4": n}, areas: [{id, indicators: [{id, level, critical, acute}]}]}
//   levels:  {levels: [{level, key, actions: [action_key], follow_up_days}],
//             breadth: {min_signs, min_areas, level, reason} | null, ...}
(function (root, factory) {
  "use strict";
  var engine = factory();
  if (typeof module === "object" && module.exports) {
    module.exports = engine;
  } else {
    root.TrivselEngine = engine;
  }
})(typeof self !== "undefined" ? self : this, function () {
  "use strict";

  // The canonical order of the actions (app.guide.schema.ActionKey).
  var ACTION_ORDER = ["continue_universal", "parent_dialogue", "social_worker_consult", "notification"];
  var LEVEL_KEYS = {1: "general_wellbeing", 2: "declining_wellbeing", 3: "poor_wellbeing", 4: "serious_problems"};

  function UnknownIndicators(ids, catalogId) {
    this.name = "UnknownIndicators";
    this.ids = ids;
    this.catalogId = catalogId;
    this.message = "ukendte indikatorer for kataloget '" + catalogId + "': " +
      ids.map(function (id) { return "'" + id + "'"; }).join(", ");
  }
  UnknownIndicators.prototype = Object.create(Error.prototype);
  UnknownIndicators.prototype.constructor = UnknownIndicators;

  function indicators(catalog) {
    var all = [];
    catalog.areas.forEach(function (area) {
      area.indicators.forEach(function (indicator) { all.push(indicator); });
    });
    return all;
  }

  function threshold(catalog, level) {
    var thresholds = catalog.thresholds || {};
    var value = thresholds[String(level)];
    return typeof value === "number" ? value : 1;
  }

  function levelDef(levels, number) {
    if ([1, 2, 3, 4].indexOf(number) < 0) { throw new RangeError("der findes kun niveau 1–4, ikke " + number); }
    return levels.levels[number - 1];
  }

  function levelOf(catalog, observed) {
    var candidates = [4, 3, 2];
    for (var c = 0; c < candidates.length; c++) {
      var level = candidates[c];
      var count = 0;
      for (var i = 0; i < observed.length; i++) {
        if (observed[i].level >= level) { count++; }
      }
      if (count >= threshold(catalog, level)) { return level; }
    }
    return 1;
  }

  // Whether the observed signs of concern (level 2 or above) are enough, and spread over
  // enough areas, for the breadth rule.
  function broad(rule, catalog, observed) {
    var concern = {};
    var count = 0;
    observed.forEach(function (indicator) {
      if (indicator.level >= 2 && concern[indicator.id] !== true) { concern[indicator.id] = true; count++; }
    });
    var areas = catalog.areas.filter(function (area) {
      return area.indicators.some(function (indicator) { return concern[indicator.id] === true; });
    }).length;
    return count >= rule.min_signs && areas >= rule.min_areas;
  }

  // The actions for a level (also one a professional chose), in the canonical order.
  // Critical (the abuse rule): always a notification, never a parent dialogue first.
  function recommendedActions(level, critical, levels) {
    var actions = {};
    levelDef(levels, level).actions.forEach(function (key) { actions[key] = true; });
    if (critical) {
      actions.notification = true;
      delete actions.parent_dialogue;
    }
    return ACTION_ORDER.filter(function (key) { return actions[key] === true; });
  }

  // Evaluate the observed indicator ids against the catalog; duplicates count once.
  // Throws UnknownIndicators naming (sorted) every id the catalog does not have.
  function evaluate(catalog, observed, levels) {
    if (typeof observed === "string") {
      throw new TypeError("observed skal være en samling af indikator-id'er, ikke én tekst");
    }
    var wanted = {};
    Array.prototype.forEach.call(observed, function (id) { wanted[id] = true; });
    var all = indicators(catalog);
    var known = {};
    all.forEach(function (indicator) { known[indicator.id] = true; });
    var unknown = Object.keys(wanted).filter(function (id) { return known[id] !== true; }).sort();
    if (unknown.length) { throw new UnknownIndicators(unknown, catalog.id); }

    var inOrder = all.filter(function (indicator) { return wanted[indicator.id] === true; });
    var critical = inOrder.some(function (indicator) { return indicator.critical === true; });
    var acute = inOrder.some(function (indicator) { return indicator.acute === true; });
    var level = critical || acute ? 4 : levelOf(catalog, inOrder);
    var escalatedFrom = null;
    var breadth = levels.breadth;
    if (level === 2 && breadth && broad(breadth, catalog, inOrder)) {
      escalatedFrom = level;
      level = breadth.level;
    }

    // Every sign of concern (level 2 or above) supports a result of concern.
    // Stable sort: critical first, then level descending, then catalog order.
    var floor = Math.min(level, 2);
    var reasons = inOrder
      .map(function (indicator, index) { return {indicator: indicator, index: index}; })
      .filter(function (item) { return item.indicator.level >= floor; })
      .sort(function (a, b) {
        var ca = a.indicator.critical === true ? 0 : 1;
        var cb = b.indicator.critical === true ? 0 : 1;
        if (ca !== cb) { return ca - cb; }
        if (a.indicator.level !== b.indicator.level) { return b.indicator.level - a.indicator.level; }
        return a.index - b.index;
      })
      .map(function (item) { return item.indicator; });

    var definition = levelDef(levels, level);
    return {
      level: level,
      level_key: LEVEL_KEYS[level],
      critical: critical,
      acute: acute,
      escalated_from: escalatedFrom,
      urgent: level === 4,
      parents_may_be_informed: !critical,
      rationale: reasons.map(function (i) {
        return {indicator_id: i.id, level: i.level, critical: i.critical === true};
      }),
      recommended_actions: recommendedActions(level, critical, levels),
      strengths: inOrder.filter(function (indicator) { return indicator.level === 1; })
        .map(function (indicator) { return indicator.id; }),
      observed: inOrder.map(function (indicator) { return indicator.id; }),
      catalog: {id: catalog.id, version: catalog.version},
      follow_up_days: definition.follow_up_days === undefined ? null : definition.follow_up_days
    };
  }

  return {
    ACTION_ORDER: ACTION_ORDER,
    LEVEL_KEYS: LEVEL_KEYS,
    UnknownIndicators: UnknownIndicators,
    evaluate: evaluate,
    recommendedActions: recommendedActions,
    levelDef: levelDef
  };
});
