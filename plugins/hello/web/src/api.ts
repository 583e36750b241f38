// The JSON shapes of hello's routes (`GET /greeting`, `GET /events`), as `plugins/hello/src/lib.rs` serves them.

export interface Greeting {
  message: string;
  visits: number;
  caller: string | null;
}

export interface HelloEvent {
  id: string;
  event_type: string;
  timestamp: string;
  project_id: number | null;
  data: Record<string, unknown>;
}

export interface Events {
  events: HelloEvent[];
}
