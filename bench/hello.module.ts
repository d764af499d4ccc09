import { Controller, Get, Module } from '@nestjs/common';

@Controller('bench')
class HelloController {
  /** The cheapest possible route: the baseline every other measurement is compared with. */
  @Get('hello')
  hello(): { ok: boolean } {
    return { ok: true };
  }
}

@Module({ controllers: [HelloController] })
export class BenchHelloModule {}
