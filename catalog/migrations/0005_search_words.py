from django.db import migrations

# PostgreSQL only. "Did you mean …?" compares a misspelt word with the words of published
# titles. Trigram matching against a million whole titles costs seconds for a common word, so
# the distinct words live in a small materialized view with a trigram index, refreshed by
# catalog.tasks.refresh_search_words (search.search_words_refresh).
POSTGRES_SQL = [
    (
        """
        CREATE MATERIALIZED VIEW catalog_search_word AS
        SELECT word, count(*)::integer AS products
        FROM catalog_product, unnest(string_to_array(search_title, ' ')) AS word
        WHERE status = 'published' AND char_length(word) > 1
        GROUP BY word
        """,
        "DROP MATERIALIZED VIEW catalog_search_word",
    ),
    (
        "CREATE UNIQUE INDEX catalog_search_word_word ON catalog_search_word (word)",
        "",
    ),
    (
        "CREATE INDEX catalog_search_word_trgm ON catalog_search_word "
        "USING gin (word gin_trgm_ops)",
        "",
    ),
    (
        "DROP INDEX IF EXISTS catalog_product_title_trgm",
        "CREATE INDEX catalog_product_title_trgm ON catalog_product "
        "USING gin (search_title gin_trgm_ops) WHERE status = 'published'",
    ),
]


def postgres_forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for forwards, _backwards in POSTGRES_SQL:
            schema_editor.execute(forwards)


def postgres_backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for _forwards, backwards in reversed(POSTGRES_SQL):
            if backwards:
                schema_editor.execute(backwards)


class Migration(migrations.Migration):
    dependencies = [("catalog", "0004_product_top_category")]

    operations = [migrations.RunPython(postgres_forwards, postgres_backwards)]
