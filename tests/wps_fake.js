/*
 * A fake of the WPS 表格 JS object model, as far as the taizhang add-in uses it:
 * wps.EtApplication() (ActiveWorkbook, Workbooks.Count/Item/Open, FileDialog), workbooks
 * (FullName, Name, Path, Save, Close, Activate, Worksheets.Item(name).Activate/Range(a).Select),
 * wps.PluginStorage, wps.CreateTaskPane/GetTaskPane (a pane is an iframe of this page).
 * Injected before any script of every frame; a pane's frame shares its parent's fake.
 * Every call is logged in __wpsFake.log for the tests to assert on.
 */
(function () {
  if (window.top !== window) {
    try {
      if (window.top.__wpsFake) {
        window.wps = window.top.wps;
        window.Application = window.top.Application;
        window.__wpsFake = window.top.__wpsFake;
        return;
      }
    } catch (e) { /* another origin: no fake */ }
  }
  var fake = { log: [], books: [], active: null, folder: "", panes: {}, nextPane: 1, storage: {},
               selection: null, invalidated: [] };

  function Range(sheet, address) {
    this.Address = address;
    this.Select = function () {
      fake.log.push(["select", sheet.Parent.FullName, sheet.Name, address]);
      fake.selection = { book: sheet.Parent.FullName, sheet: sheet.Name, cell: address };
    };
  }

  function Sheet(book, name) {
    var self = this;
    this.Parent = book;
    this.Name = name;
    this.Activate = function () { book.activeSheet = self; fake.log.push(["activate-sheet", book.FullName, name]); };
    this.Range = function (address) {
      if (!/^\$?[A-Z]{1,3}\$?[0-9]{1,7}(:\$?[A-Z]{1,3}\$?[0-9]{1,7})?$/.test(address)) throw new Error("bad range " + address);
      return new Range(self, address);
    };
  }

  function Workbook(fullName, sheetNames) {
    var self = this;
    var cut = Math.max(fullName.lastIndexOf("/"), fullName.lastIndexOf("\\"));
    this.FullName = fullName;
    this.Name = fullName.slice(cut + 1);
    this.Path = cut >= 0 ? fullName.slice(0, cut) : "";  // a new, never saved workbook has no Path
    this.sheets = (sheetNames || []).map(function (n) { return new Sheet(self, n); });
    this.Worksheets = {
      get Count() { return self.sheets.length; },
      Item: function (key) {
        var found = typeof key === "number" ? self.sheets[key - 1]
          : self.sheets.filter(function (s) { return s.Name === key; })[0];
        if (!found) throw new Error("no sheet " + key);
        return found;
      }
    };
    this.Sheets = this.Worksheets;
    this.Save = function () { fake.log.push(["save", fullName]); };
    this.Close = function (save) {
      fake.log.push(["close", fullName, save]);
      fake.books = fake.books.filter(function (b) { return b !== self; });
      if (fake.active === self) fake.active = fake.books.length ? fake.books[fake.books.length - 1] : null;
    };
    this.Activate = function () { fake.active = self; fake.log.push(["activate", fullName]); };
  }

  var Enum = { msoFileDialogFolderPicker: 4, msoCTPDockPositionRight: 2 };
  var app = {
    get ActiveWorkbook() { return fake.active; },
    Workbooks: {
      get Count() { return fake.books.length; },
      Item: function (i) { return fake.books[i - 1]; },
      Open: function (path) {
        fake.log.push(["open", path]);
        var wb = new Workbook(path, (fake.sheetsOf || {})[path] || []);
        fake.books.push(wb);
        fake.active = wb;
        return wb;
      }
    },
    FileDialog: function (kind) {
      fake.log.push(["filedialog", kind]);
      return { Title: "", Show: function () { return fake.folder ? -1 : 0; },
               SelectedItems: { Count: fake.folder ? 1 : 0, Item: function () { return fake.folder; } } };
    },
    Enum: Enum
  };

  window.wps = {
    EtApplication: function () { return app; },
    PluginStorage: {
      getItem: function (k) { return Object.prototype.hasOwnProperty.call(fake.storage, k) ? fake.storage[k] : null; },
      setItem: function (k, v) { fake.storage[k] = v; }
    },
    CreateTaskPane: function (url) {
      var id = "pane" + fake.nextPane++;
      var pane = { ID: id, url: url, DockPosition: 0, Width: 0, _visible: false };
      Object.defineProperty(pane, "Visible", {
        get: function () { return pane._visible; },
        set: function (v) {
          pane._visible = !!v;
          var frame = document.getElementById("wps-" + id);
          if (v && !frame) {
            frame = document.createElement("iframe");
            frame.id = "wps-" + id;
            frame.src = url;
            frame.setAttribute("style", "position:fixed;top:0;right:0;width:440px;height:100%;border:0;border-left:1px solid #999;background:#fff");
            document.body.appendChild(frame);
          }
          if (frame) frame.style.display = v ? "block" : "none";
          fake.log.push(["pane", id, !!v]);
        }
      });
      fake.panes[id] = pane;
      fake.log.push(["create-pane", url]);
      return pane;
    },
    GetTaskPane: function (id) { return fake.panes[id] || null; },
    Enum: Enum
  };
  window.Application = app;
  window.__wpsFake = fake;
  fake.ribbonUI = {
    Invalidate: function () { fake.invalidated.push("*"); },
    InvalidateControl: function (id) { fake.invalidated.push(id); }
  };
  fake.openBook = function (path, sheets) {
    var wb = new Workbook(path, sheets);
    fake.books.push(wb);
    fake.active = wb;
    return path;
  };
})();
