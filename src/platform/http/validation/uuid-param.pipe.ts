import { Injectable, type ArgumentMetadata, type PipeTransform } from '@nestjs/common';
import { RequestValidationException } from './request-validation.exception';

const UUID = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;

/** A path parameter that must be a UUID: 422 `uuid_parsing` otherwise, lower-case canonical form. */
@Injectable()
export class UuidParamPipe implements PipeTransform<string, string> {
  transform(value: string, metadata: ArgumentMetadata): string {
    const text = String(value ?? '').trim();
    if (!UUID.test(text)) {
      throw new RequestValidationException([
        {
          type: 'uuid_parsing',
          loc: ['path', metadata.data ?? 'id'],
          msg: 'Input should be a valid UUID, invalid character or length',
          input: value,
        },
      ]);
    }
    const hex = text.replace(/-/g, '').toLowerCase();
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }
}
