{{ config(severity='warn') }}
-- Finds a row but only warns (severity warn): dbt reports status "warn".
select * from {{ ref('passing_model') }} where tasks > 4
