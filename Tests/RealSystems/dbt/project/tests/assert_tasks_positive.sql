-- Passes: no row has a non-positive task count.
select * from {{ ref('passing_model') }} where tasks <= 0
