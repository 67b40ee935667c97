/*
 * The task pane: shows what main.js left in wps.PluginStorage (progress, a result, an error, or
 * the settings form) and lets a finding select its cell.
 */
(function () {
  "use strict";
  var R = TZRender, shown = null;

  function status(text) { document.getElementById("status").textContent = text || ""; }

  function settingsForm(state) {
    var s = TZ.settings();
    var form = R.el("form", "settings");
    if (state.error) R.add(form, R.el("p", "bad", state.error));
    var fields = [
      ["bureau", "局名称", "例如 某某县教育局（汇总表和汇报的标题）", "text"],
      ["as_of", "检查日期", "YYYY-MM-DD，空着表示今天", "date"],
      ["period", "统计期间", "如 2026-10、2026Q3、2026年上半年、2026-03..2026-08；空着表示检查日期所在的月", "text"],
      ["folder", "各单位台账所在文件夹", "月度合并读取的文件夹（完整路径）", "text"],
      ["roster", "单位名册文件（可选）", "空着则用主表中的“单位名册”表", "text"],
      ["compare", "与上期、上年同期对比", "汇总表增加较上月增减、同比增减两列，汇报写明增减", "checkbox"]
    ];
    for (var i = 0; i < fields.length; i++) {
      var f = fields[i];
      var input = R.el("input");
      input.type = f[3];
      input.id = "set-" + f[0];
      input.name = f[0];
      input.placeholder = f[2];
      if (f[3] === "checkbox") input.checked = !!s[f[0]];
      else input.value = s[f[0]] || "";
      var label = R.add(R.el("label"), R.el("span", null, f[1]), input);
      if (f[0] === "folder") {
        var pick = R.el("button", "small", "选择…");
        pick.type = "button";
        pick.id = "pick-folder";
        pick.onclick = (function (target) {
          return function () { var chosen = TZ.pickFolder(); if (chosen) target.value = chosen; };
        })(input);
        R.add(label, pick);
      }
      R.add(form, label);
    }
    if (!TZ.installed() && !/\/wps\/k\//.test(location.pathname)) { // installed or keyed: the token is known
      var tok = R.el("input");
      tok.id = "set-token";
      tok.placeholder = "粘贴 taizhang serve 输出的第一行（http://127.0.0.1:…/#token=…）";
      R.add(form, R.add(R.el("label"), R.el("span", null, "本机服务地址"), tok));
    }
    var save = R.el("button", "primary", "保存设置");
    save.type = "submit";
    save.id = "save-settings";
    R.add(form, save);
    form.onsubmit = function (ev) {
      ev.preventDefault();
      var next = {};
      for (var i = 0; i < fields.length; i++) {
        var box = document.getElementById("set-" + fields[i][0]);
        if (fields[i][3] === "checkbox") { if (box.checked) next[fields[i][0]] = true; continue; }
        var v = box.value.replace(/^\s+|\s+$/g, "");
        if (v) next[fields[i][0]] = v;
      }
      if (next.as_of && !/^\d{4}-\d{2}-\d{2}$/.test(next.as_of)) { status("检查日期应为 YYYY-MM-DD"); return; }
      // the period is read by the service (every form Period.parse takes), which says what is wrong
      TZ.saveSettings(next);
      var t = document.getElementById("set-token");
      if (t && t.value) TZ.saveToken(t.value);
      status("设置已保存");
    };
    return form;
  }

  function render(state) {
    var content = document.getElementById("content");
    content.innerHTML = "";
    document.getElementById("title").textContent = state.title || "";
    if (state.phase === "running") {
      R.add(content, R.progressView(state.title, state.progress));
    } else if (state.phase === "error") {
      R.add(content, R.el("p", "bad error", state.error));
    } else if (state.phase === "settings") {
      R.add(content, settingsForm(state));
    } else if (state.phase === "done") {
      R.add(content, R.view(state.command, state.result, function (finding) {
        var problem = TZ.selectCell(state.book, finding.sheet, finding.cell);
        status(problem || ("已选中 " + finding.sheet + "!" + finding.cell));
      }));
      if (state.command === "check") R.add(content, R.el("p", "hint", "点击一条问题，选中它所在的单元格。"));
      if (state.opened) R.add(content, R.el("p", "ok", "已写入并在 WPS 中打开：" + state.opened));
      if (state.note) R.add(content, R.el("p", "bad", state.note));
    }
  }

  function refresh() {
    var text = wps.PluginStorage.getItem(TZ.STATE_KEY) || "";
    if (text !== shown) {
      shown = text;
      var state = null;
      try { state = JSON.parse(text); } catch (e) { state = null; }
      if (state) { status(""); render(state); }
    }
  }

  window.addEventListener("load", function () {
    refresh();
    setInterval(refresh, 300); // reads PluginStorage only: no request
  });
})();
