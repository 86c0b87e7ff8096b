/*
 * The editor code every node of @jobgate/node-red-huaweicloud-jobs shares:
 * validators, the TypedInput field builder and the query nodes' definition.
 * Node-RED serves this folder at resources/@jobgate/node-red-huaweicloud-jobs/;
 * each node's .html loads it with a script tag (once: later loads return at once).
 */
(() => {
  if (window.HuaweiCloudJobs) return;

  var TYPES = ['msg', 'flow', 'global', 'env', 'str', 'jsonata'];
  // `${NAME}` is replaced by Node-RED from its environment at deploy time: always valid here.
  var ENV = /^\$\{[^}]+\}$/;
  var COLOR = '#E9967A';
  var CATEGORY = 'Huawei Cloud';

  function text(v) {
    return v === undefined || v === null ? '' : String(v).trim();
  }

  /** Empty is valid (the msg property of the field sets it), and so is `${NAME}`; anything else must pass `check`. */
  function optional(check) {
    return (v) => {
      v = text(v);
      return v === '' || ENV.test(v) || check(v);
    };
  }

  function between(min, max) {
    return optional((v) => /^\d+$/.test(v) && Number(v) >= min && Number(v) <= max);
  }

  /**
   * The one TypedInput validator: a value typed in as a string is checked
   * with `check` (empty: the msg property sets it); any other type is checked
   * by Node-RED's own TypedInput validator.
   */
  function typed(key, check) {
    var typeField = `${key}Type`;
    return function (v, opt) {
      var type = $(`#node-input-${typeField}`).val() || this[typeField];
      if (type !== 'str') return RED.validators.typedInput(typeField).call(this, v, opt);
      return optional(check || (() => true))(v);
    };
  }

  /**
   * Adds one TypedInput row to `container`: the field's label and icon, and
   * a placeholder naming the msg property that sets it when left empty.
   * With `bind`, the row's inputs are the node's `<key>` and `<key>Type`
   * properties, which Node-RED saves by itself.
   */
  function typedRow(container, field, stored, bind) {
    var id = field.id || `node-input-${field.key}`;
    var row = $('<div class="form-row"></div>').appendTo(container);
    $('<label></label>')
      .attr('for', id)
      .attr('title', field.description || '')
      .text((field.required === false ? '(optional) ' : '') + field.label)
      .prepend(`<i class="fa fa-${field.icon || 'hashtag'}"></i> `)
      .appendTo(row);
    var input = $('<input type="text" style="width: 70%">')
      .attr('id', id)
      .attr('placeholder', `empty: msg.${field.msg || field.key}`)
      .addClass(field.className || '')
      .data('key', field.key)
      .appendTo(row);
    var options = { default: 'msg', types: TYPES };
    if (bind) {
      options.typeField = $('<input type="hidden">').attr('id', `${id}Type`).appendTo(row);
    }
    input.typedInput(options);
    input.typedInput('type', stored?.type ? stored.type : 'msg');
    input.typedInput('value', stored && stored.value !== undefined ? stored.value : field.key);
    return input;
  }

  /** A node's label: its name, else its own short label, else its palette label. */
  function labelWith(paletteLabel, own) {
    return function () {
      return this.name || (own ? own(this) : '') || paletteLabel;
    };
  }

  function labelStyle() {
    return this.name ? 'node_label_italic' : '';
  }

  /**
   * Registers a query node: the config node, the identity fields of its job
   * kind as TypedInputs (`fields`: key, label, icon, check), and a name.
   */
  function registerQueryNode(type, spec) {
    var defaults = {
      name: { value: '' },
      server: { value: '', type: 'huaweicloud-config', required: true },
    };
    spec.fields.forEach((field) => {
      defaults[field.key] = { value: field.key, validate: typed(field.key, field.check) };
      defaults[`${field.key}Type`] = { value: 'msg' };
    });
    RED.nodes.registerType(type, {
      category: CATEGORY,
      color: COLOR,
      defaults: defaults,
      inputs: 1,
      outputs: 1,
      icon: spec.icon,
      paletteLabel: spec.paletteLabel,
      label: labelWith(spec.paletteLabel, spec.label),
      labelStyle: labelStyle,
      outputLabels: spec.outputLabels,
      oneditprepare: function () {
        var container = $(`#node-input-${type}-fields`);
        spec.fields.forEach((field) => {
          typedRow(container, field, { value: this[field.key], type: this[`${field.key}Type`] }, true);
        });
      },
    });
  }

  /** Keeps a node's label readable whatever a property holds: text stays, anything else is left out. */
  function textOf(value) {
    return typeof value === 'string' ? value : '';
  }

  window.HuaweiCloudJobs = {
    TYPES: TYPES,
    ENV: ENV,
    COLOR: COLOR,
    CATEGORY: CATEGORY,
    optional: optional,
    between: between,
    typed: typed,
    typedRow: typedRow,
    labelWith: labelWith,
    labelStyle: labelStyle,
    textOf: textOf,
    registerQueryNode: registerQueryNode,
  };
})();
