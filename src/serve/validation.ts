/**
 * Words JSON-schema (ajv) errors for an HTTP client: the field's path, then what is wrong with it,
 * e.g. "body/k must be >= 1" or "body has an unknown field 'hybrid'".
 */

/** The parts of an ajv error object read here. */
export interface SchemaError {
  instancePath: string;
  keyword: string;
  params: Record<string, unknown>;
  message?: string;
}

export function formatValidationErrors(errors: readonly SchemaError[], dataVar: string): string {
  return errors.map((e) => formatOne(e, dataVar)).join('; ');
}

function formatOne(error: SchemaError, dataVar: string): string {
  const field = `${dataVar}${error.instancePath}`;
  switch (error.keyword) {
    case 'required':
      return `${field} must have the field '${String(error.params['missingProperty'])}'`;
    case 'additionalProperties':
      return `${field} has an unknown field '${String(error.params['additionalProperty'])}'`;
    case 'pattern':
      // The only pattern in the schemas asks for a non-blank text.
      return `${field} must not be blank`;
    case 'enum':
      return `${field} must be one of ${(error.params['allowedValues'] as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
    default:
      return `${field} ${error.message ?? 'is invalid'}`;
  }
}
