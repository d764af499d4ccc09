import { Controller, Get, Headers, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { JwksService } from './jwks.service';

/** `GET /.well-known/jwks.json`: public keys with ETag/Last-Modified; exact If-None-Match gives 304. */
@ApiExcludeController()
@Controller('.well-known')
export class JwksController {
  constructor(private readonly jwks: JwksService) {}

  @Get('jwks.json')
  async jwksDocument(
    @Headers('if-none-match') ifNoneMatch: string | undefined,
    @Res() response: Response,
  ): Promise<void> {
    const reply = await this.jwks.reply(ifNoneMatch);
    for (const [name, value] of Object.entries(reply.headers)) response.setHeader(name, value);
    if (reply.status === 304) response.status(304).end();
    else response.status(200).json(reply.body);
  }
}
