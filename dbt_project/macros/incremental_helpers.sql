{#
    Rows an upstream incremental model wrote since this model last wrote: every
    incremental model stamps its rows with the build that wrote them (_built_at). This
    model's last build time is looked up when the model compiles and written as a
    constant, so the engine skips the blocks of older builds as it reads (a subquery
    would be compared row by row: every row of the upstream table).
#}
{% macro built_since_last_build(column='_built_at') -%}
    {%- set last_build = '1970-01-01 00:00:00' -%}
    {%- if execute -%}
        {%- set last_build_query -%}
            select cast(max(_built_at) as varchar) from {{ this }}
        {%- endset -%}
        {%- set rows = run_query(last_build_query).rows -%}
        {%- if rows | length > 0 and rows[0][0] -%}
            {%- set last_build = rows[0][0] -%}
        {%- endif -%}
    {%- endif -%}
    {{ column }} > {{ cola.timestamp_literal(last_build) }}
{%- endmacro %}


{# Per machine, stops sort before starts at the same instant (a machine stopped, then started again). #}
{% macro stop_before_start(report_type) -%}
    case when {{ report_type }} = 'stop' then 0 else 1 end
{%- endmacro %}


{#
    The first landing date an incremental staging build reads: the day before the newest
    landing date already built. Landing dates only grow, and the last two partitions may
    still gain files (a copy that began before midnight lands in the earlier one).
    Returned as a 'YYYY-MM-DD' literal so that partition pruning happens at planning time.
#}
{% macro newest_landing_dates_floor() -%}
    {%- if not execute -%}
        {{ return('1970-01-01') }}
    {%- endif -%}
    {%- set floor_query -%}
        select cast({{ add_days('max(ingest_date)', -1) }} as varchar) from {{ this }}
    {%- endset -%}
    {%- set floor = run_query(floor_query).columns[0].values()[0] -%}
    {{ return(floor if floor else '1970-01-01') }}
{%- endmacro %}


{#
    Tests check what the build wrote. A test configured `where: latest_build` reads only
    the rows written since staging's newest build: every build that reads new files
    writes staging first, and every model stamps the rows it writes with the build's
    time (_built_at; views pass on the stamp of the row they show). An incremental build
    tests its new rows, a full refresh every row. An incremental merge replaces rows by
    unique key, so a key unique among the new rows stays unique; staging, which only
    appends, adds rows of new files only, whose keys (the file's landing date and name,
    and a line) are new. Other `where` values filter as in dbt.

    The newest build's time is looked up when the test compiles (after staging has
    built) and written as a constant: the engine then filters each table as it reads it,
    skipping blocks of older builds, also under the joins of a view. A subquery there
    would be a join of its own, which DuckDB does not push below another join, so a view
    with a join would be read in full.
#}
{% macro get_where_subquery(relation) -%}
    {%- if config.get('where') == 'latest_build' -%}
        {%- set newest_build = 'null' -%}
        {%- if execute -%}
            {%- set newest_query -%}
                select cast(max(_built_at) as varchar) from {{ cola.staging_relation() }}
            {%- endset -%}
            {%- set rows = run_query(newest_query).rows -%}
            {%- set newest = rows[0][0] if rows | length > 0 else none -%}
            {%- if newest -%}
                {%- set newest_build = cola.timestamp_literal(newest) -%}
            {%- endif -%}
        {%- endif -%}
        {%- set newest_rows -%}
            (
                select * from {{ relation }}
                where _built_at >= {{ newest_build }}
            ) as dbt_subquery
        {%- endset -%}
        {{ return(newest_rows) }}
    {%- endif -%}
    {{ return(dbt.default__get_where_subquery(relation)) }}
{%- endmacro %}


{# The staging model's relation, looked up in the graph (a test may not ref it). #}
{% macro staging_relation() -%}
    {%- for node in graph.nodes.values() if node.resource_type == 'model'
        and node.name == 'stg_factory__run_reports' -%}
        {{ return(api.Relation.create(
            database=node.database, schema=node.schema, identifier=node.alias
        )) }}
    {%- endfor -%}
    {{ exceptions.raise_compiler_error('staging_relation: no model stg_factory__run_reports') }}
{%- endmacro %}


{#
    A hook for an incremental model that reads a few rows of a large table by key:
    DuckDB estimates the size of the keys it is looking up from the new rows, guesses high,
    and builds its hash table on the large table instead, reading every row in full. With
    `keep` true, DuckDB keeps the join sides as written (the small set is built); false
    restores the default. Other engines plan this well and get no statement.
#}
{% macro keep_join_order(keep) -%}
    {{ return(adapter.dispatch('keep_join_order', 'cola')(keep)) }}
{%- endmacro %}

{% macro default__keep_join_order(keep) -%}
{%- endmacro %}

{% macro duckdb__keep_join_order(keep) -%}
    {%- if keep -%}
        set disabled_optimizers = 'build_side_probe_side'
    {%- else -%}
        reset disabled_optimizers
    {%- endif -%}
{%- endmacro %}


{#
    An incremental strategy for DuckDB models that rewrite a few stored rows anywhere in a
    large table. The model carries, in `_replaces_row`, the row number (DuckDB's rowid) of
    the stored row each of its rows replaces (null for a new row); the strategy deletes
    those rows by number and inserts the model's rows. Deleting by key would join the
    whole table on the key columns again; the model has already found the rows. Row
    numbers are read and used in one transaction, so they cannot change in between.

    `_replaces_row` is not a column of the table: the model sets on_schema_change to
    `ignore`, and this strategy fails the build instead when the model's other columns are
    not the table's.
#}
{% macro get_incremental_replace_rows_sql(arg_dict) -%}
    {%- set target = arg_dict['target_relation'] -%}
    {%- set source = arg_dict['temp_relation'] -%}
    {%- set target_columns = adapter.get_columns_in_relation(target) | map(attribute='name') | list -%}
    {%- set source_columns = adapter.get_columns_in_relation(source) | map(attribute='name') | list -%}
    {%- set model_columns = source_columns | reject('equalto', '_replaces_row') | list -%}
    {%- if '_replaces_row' not in source_columns or model_columns != target_columns -%}
        {{ exceptions.raise_compiler_error(
            'replace_rows: ' ~ target ~ ' has the columns ' ~ target_columns | join(', ')
            ~ '; the model gives ' ~ source_columns | join(', ')
            ~ ' (the same, plus _replaces_row). Rebuild it with --full-refresh.'
        ) }}
    {%- endif -%}
    {%- set columns = [] -%}
    {%- for column in target_columns -%}
        {%- do columns.append(adapter.quote(column)) -%}
    {%- endfor -%}
    delete from {{ target }}
    where rowid in (
        select replaced._replaces_row from {{ source }} as replaced
        where replaced._replaces_row is not null
    );

    insert into {{ target }} ({{ columns | join(', ') }})
    select {{ columns | join(', ') }} from {{ source }}
{%- endmacro %}
