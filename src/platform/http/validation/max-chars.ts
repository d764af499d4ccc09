import { registerDecorator, type ValidationOptions } from 'class-validator';

/**
 * `@MaxLength` as Postgres counts a `varchar(n)`: code points. class-validator's length also
 * discounts variation selectors (U+FE0E/U+FE0F), so a string it accepts can still be too long
 * for the column, which would be a 500 on insert. Registered under the `maxLength` name, so the
 * 422 issue is pydantic's `string_too_long` with `ctx.max_length`.
 */
export function MaxChars(max: number, options?: ValidationOptions): PropertyDecorator {
  return (target: object, propertyName: string | symbol) => {
    registerDecorator({
      name: 'maxLength',
      target: target.constructor,
      propertyName: String(propertyName),
      constraints: [max],
      options,
      validator: {
        validate: (value: unknown) => typeof value !== 'string' || Array.from(value).length <= max,
      },
    });
  };
}
