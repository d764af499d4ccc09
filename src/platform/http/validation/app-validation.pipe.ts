import { Injectable, type ArgumentMetadata, type PipeTransform } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { getMetadataStorage, validate } from 'class-validator';
import { RequestValidationException } from './request-validation.exception';
import { toIssues } from './issue-mapper';
import { findTextIssues } from './text-input';
import type { ValidationLocation } from './validation-issue';

const PRIMITIVES: unknown[] = [String, Boolean, Number, Array, Object];

/**
 * The DTO instance for a body or query object. DTOs are flat (no nested classes), so
 * class-transformer is given the top-level scalars only: handed a nested plain object, it takes
 * the object's own `constructor` property for its class, so a client-sent `{"a":
 * {"constructor": 1}}` crashed it (a 500 instead of a 422), and it recursed once per level.
 * Objects and arrays of declared fields are attached as sent (own data properties, never through
 * `__proto__`); undeclared fields would be dropped by the whitelist anyway.
 */
function toInstance(metatype: new () => object, value: object): object {
  const scalars: Record<string, unknown> = {};
  const nested: [string, unknown][] = [];
  for (const [key, item] of Object.entries(value)) {
    if (item !== null && typeof item === 'object') nested.push([key, item]);
    else scalars[key] = item;
  }
  const instance = plainToInstance(metatype, scalars);
  const declared = new Set(
    getMetadataStorage()
      .getTargetValidationMetadatas(metatype, '', true, false)
      .map((metadata) => metadata.propertyName),
  );
  for (const [key, item] of nested) {
    if (!declared.has(key)) continue;
    Object.defineProperty(instance, key, {
      value: item,
      writable: true,
      enumerable: true,
      configurable: true,
    });
  }
  return instance;
}

const LOCATION: Record<ArgumentMetadata['type'], ValidationLocation | undefined> = {
  body: 'body',
  query: 'query',
  param: 'path',
  custom: undefined,
};

/**
 * Global pipe: class-transformer + class-validator on DTO classes, failing with the reference's
 * 422 envelope. Values are never coerced implicitly (JSON `"5"` is not an integer); query DTOs
 * opt into conversion per field with `@ToInt()`/`@ToBool()`. Unknown fields are ignored.
 *
 * Every body, query and path value (DTO or primitive, unknown fields included) is first checked
 * for text Postgres cannot store (NUL, lone surrogates): a 422 before the handler runs, so
 * before any model call or row (docs/text-input.md).
 */
@Injectable()
export class AppValidationPipe implements PipeTransform {
  async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const location = LOCATION[metadata.type];
    if (!location) return value;
    const root = metadata.data ? [location, metadata.data] : [location];
    const textIssues = findTextIssues(value, root);
    if (textIssues.length > 0) throw new RequestValidationException(textIssues);

    const metatype = metadata.metatype;
    if (!metatype || PRIMITIVES.includes(metatype)) return value;
    if (
      location === 'body' &&
      (value === null || typeof value !== 'object' || Array.isArray(value))
    ) {
      throw new RequestValidationException([
        {
          type: 'model_attributes_type',
          loc: ['body'],
          msg: 'Input should be a valid dictionary or object to extract fields from',
          input: value ?? null,
        },
      ]);
    }
    const instance = toInstance(metatype as new () => object, value ?? {});
    const errors = await validate(instance, { whitelist: true, forbidUnknownValues: false });
    if (errors.length > 0) throw new RequestValidationException(toIssues(errors, root, value));
    return instance;
  }
}
