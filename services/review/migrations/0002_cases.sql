-- The cases intake hands over: the latest submission of each, as intake's receipt covers it.
-- Deliveries are idempotent by (submission number, event): a repeat changes nothing and is
-- counted apart, so that "each exactly once" can be checked.
CREATE TABLE review.cases (
  case_id         uuid        PRIMARY KEY,
  call_id         uuid,
  organisation_id uuid,
  reference       text,
  number          integer     NOT NULL CHECK (number > 0),
  status          text        NOT NULL CHECK (status IN ('submitted', 'withdrawn')),
  content         jsonb,
  sha256          text        CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  received_at     timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now(),
  deliveries      integer     NOT NULL DEFAULT 1,
  repeats         integer     NOT NULL DEFAULT 0
);
CREATE INDEX cases_call ON review.cases (call_id);
