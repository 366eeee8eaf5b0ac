{#
    One row per calendar day from 2020-01-01 to 2039-12-31: MetricFlow's time spine (see
    _utilities__models.yml), which it joins metrics to when a query asks for days with no
    data or for cumulative metrics. 7,305 days, under Athena's 10,000-element sequence limit.
#}

with

days as (
    select cast(calendar.day_value as date) as date_day
    from unnest(
        {{ date_series("cast('2020-01-01' as date)", "cast('2039-12-31' as date)") }}
    ) as calendar (day_value)
),

final as (
    select date_day
    from days
)

select * from final
