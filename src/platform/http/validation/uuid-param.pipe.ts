import { Injectable, type ArgumentMetadata, type PipeTransform } from '@nestjs/common';
import { RequestValidationException } from './request-validation.exception';
import { canonicalUuid } from '../../ids';

/** A path parameter that must be a UUID: 422 `uuid_parsing` otherwise, lower-case canonical form. */
@Injectable()
export class UuidParamPipe implements PipeTransform<string, string> {
  transform(value: string, metadata: ArgumentMetadata): string {
    const text = String(value ?? '').trim();
    const canonical = canonicalUuid(text);
    if (!canonical) {
      throw new RequestValidationException([
        {
          type: 'uuid_parsing',
          loc: ['path', metadata.data ?? 'id'],
          msg: 'Input should be a valid UUID, invalid character or length',
          input: value,
        },
      ]);
    }
    return canonical;
  }
}
