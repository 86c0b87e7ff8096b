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
    // A field may take more than text (`json` for an object, `bool`): its own types, with the sources.
    var types = field.types ? ['msg', 'flow', 'global', 'env'].concat(field.types, ['jsonata']) : TYPES;
    var options = { default: 'msg', types: types };
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

  /**
   * The job-kind list and the chosen kind's fields (a TypedInput each, kept in the node's `fields` by
   * key) for the nodes that work on any kind. The kinds come from the runtime at `spec.url`, which reads
   * them from the core's table of job kinds: nothing here knows a service by name. `spec.type` is the
   * node type whose labels are redrawn once the kinds arrive; `spec.onKind(kind)` runs when the user
   * picks a kind.
   */
  function kindForm(spec) {
    var kinds = null;
    var loading = null;
    function load() {
      if (!loading) {
        loading = $.getJSON(spec.url).then(
          (list) => {
            kinds = list;
            // Labels drawn before the kinds arrived show the kind's name: redraw them with its title.
            RED.nodes.eachNode((n) => {
              if (n.type === spec.type) n.dirty = true;
            });
            RED.view?.redraw?.(true);
            return list;
          },
          () => {
            loading = null;
            return [];
          },
        );
      }
      return loading;
    }
    function kindOf(name) {
      return (kinds || []).filter((k) => k.name === name)[0];
    }
    function rows() {
      return $('#node-input-huaweicloud-fields input.huaweicloud-field');
    }
    function read(into) {
      rows().each(function () {
        var $input = $(this);
        into[$input.data('key')] = { value: $input.typedInput('value'), type: $input.typedInput('type') };
      });
      return into;
    }
    function prepare(node) {
      var values = $.extend(true, {}, node.fields || {});
      var $kind = $('#node-input-kind');
      var $rows = $('#node-input-huaweicloud-fields');
      function showFields(kind) {
        $rows.empty();
        (kind ? kind.fields : []).forEach((field) => {
          typedRow(
            $rows,
            {
              key: field.key,
              label: field.label,
              description: field.description,
              required: field.required,
              types: field.types,
              id: `node-input-huaweicloud-field-${field.key}`,
              className: 'huaweicloud-field',
            },
            values[field.key],
          );
        });
        $('#node-input-huaweicloud-description').text(kind ? kind.description : spec.anyKind);
        $('#node-input-huaweicloud-streaming').toggle(!!kind?.streaming);
      }
      load().then((list) => {
        $kind.empty();
        $('<option value="">(msg.kind)</option>').appendTo($kind);
        list.forEach((kind) => {
          $('<option></option>').val(kind.name).text(kind.title).appendTo($kind);
        });
        if (!list.length)
          $('<option value="" disabled>(the job kinds could not be loaded)</option>').appendTo($kind);
        $kind.val(kindOf(node.kind) ? node.kind : '');
        showFields(kindOf($kind.val()));
        $kind.on('change', () => {
          read(values);
          var kind = kindOf($kind.val());
          showFields(kind);
          if (kind && spec.onKind) spec.onKind(kind);
        });
      });
    }
    function save(node) {
      node.fields = read({});
    }
    /** The node's label: its name, else `<prefix> <kind title>`, never an object. */
    function label(prefix) {
      return function () {
        if (this.name) return this.name;
        var kind = kindOf(this.kind);
        return `${prefix} ${kind ? kind.title : textOf(this.kind) || 'job'}`;
      };
    }
    load();
    return { load: load, kindOf: kindOf, prepare: prepare, save: save, label: label };
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
    kindForm: kindForm,
  };
})();
