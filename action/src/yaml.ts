// The YAML parser, bundled apart (dist/yaml): only a step that passes a mapping input as YAML loads it.
export { parseDocument } from 'yaml';
