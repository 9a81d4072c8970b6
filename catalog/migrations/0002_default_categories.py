"""The default category tree. Names are data (English and Chinese), edited in the admin."""

from django.db import migrations

# (slug, English, Chinese, requires_provenance, returns_excluded, children)
TREE = [
    ("food-drink", "Food & drink", "食品饮料", True, False, [
        ("tea", "Tea", "茶叶", True, False),
        ("honey-preserves", "Honey & preserves", "蜂蜜果酱", True, False),
        ("fresh-produce", "Fresh produce", "生鲜果蔬", True, True),
        ("snacks", "Snacks", "零食小吃", True, False),
    ]),
    ("beauty", "Beauty & personal care", "美妆个护", True, False, [
        ("skincare", "Skincare", "护肤", True, False),
    ]),
    ("mother-baby", "Mother & baby", "母婴", True, False, []),
    ("health", "Health", "保健", True, False, []),
    ("home", "Home", "家居", False, False, [
        ("ceramics-tableware", "Ceramics & tableware", "陶瓷餐具", False, False),
        ("textiles", "Textiles", "家纺布艺", False, False),
    ]),
    ("crafts", "Crafts", "手工艺", False, False, [
        ("handmade", "Handmade & custom-made", "手工定制", False, True),
    ]),
]


def create_tree(apps, schema_editor):
    Category = apps.get_model("catalog", "Category")
    for position, (slug, en, zh, provenance, excluded, children) in enumerate(TREE):
        parent, _created = Category.objects.get_or_create(
            slug=slug,
            defaults={
                "name_en": en,
                "name_zh": zh,
                "position": position,
                "requires_provenance": provenance,
                "returns_excluded": excluded,
            },
        )
        for child_position, (c_slug, c_en, c_zh, c_provenance, c_excluded) in enumerate(children):
            Category.objects.get_or_create(
                slug=c_slug,
                defaults={
                    "parent": parent,
                    "name_en": c_en,
                    "name_zh": c_zh,
                    "position": child_position,
                    "requires_provenance": c_provenance,
                    "returns_excluded": c_excluded,
                },
            )


def remove_tree(apps, schema_editor):
    Category = apps.get_model("catalog", "Category")
    slugs = [slug for slug, *_rest in TREE]
    children = [child[0] for *_head, kids in TREE for child in kids]
    Category.objects.filter(slug__in=children, products__isnull=True).delete()
    Category.objects.filter(slug__in=slugs, products__isnull=True, children__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("catalog", "0001_initial")]

    operations = [migrations.RunPython(create_tree, remove_tree)]
