{#
    A primary key: every row has a `column_name`, and no two rows share one. One test
    reads the model once for both checks, where `unique` and `not_null` would read it
    twice (and on a view over a large table each read computes the view again). Returns
    one row per repeated or missing key, with how many rows have it.
#}
{% test unique_and_not_null(model, column_name) %}
    {{ return(adapter.dispatch('test_unique_and_not_null', 'cola')(model, column_name)) }}
{% endtest %}
