import { Injectable } from '@nestjs/common';
import { RouteTable } from './route-table';

/** Filled once the app is initialised (routes exist only then); read by the filter and middleware. */
@Injectable()
export class RouteTableHolder {
  table = new RouteTable();
}
