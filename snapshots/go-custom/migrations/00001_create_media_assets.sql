-- The media-assets of asset-library, with the base fields of the guidelines (2.1).
-- Timestamps keep milliseconds, the precision the API writes.

-- +goose Up
CREATE TABLE media_assets (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name varchar(200) NOT NULL UNIQUE,
    description text,
    created_at timestamptz(3) NOT NULL DEFAULT now(),
    updated_at timestamptz(3) NOT NULL DEFAULT now(),
    version integer NOT NULL DEFAULT 1
);

CREATE INDEX media_assets_created_at_idx ON media_assets (created_at);

-- +goose Down
DROP TABLE media_assets;
