"""The demo world, as data. Places and names are plausible; businesses and people are fictional."""

from __future__ import annotations

DEMO_PASSWORD = "xinren-demo-2026"

# (slug, name, kind, uscc body (17 chars, check char computed), region, description)
ORGANIZATIONS = [
    ("xinren", "信任平台运营中心", "platform", None, "云南省昆明市", "Xinren 平台运营"),
    (
        "shanye-mushroom", "昆明山野菌菇店", "merchant", "92530102MA6K3Q8L1", "云南省昆明市官渡区",
        "三代人在楚雄和迪庆的山里收菌，当天采、当天分拣、冷链发出。",
    ),
    (
        "jingmai-tea", "景迈古树茶园", "merchant", "93530828MA6N7T2P5", "云南省普洱市澜沧县惠民镇",
        "景迈山布朗族茶农合作社，古树春茶手工初制。",
    ),
    (
        "dianwei-bakery", "滇味鲜花饼坊", "merchant", "92530114MA6P9R4D2", "云南省昆明市呈贡区",
        "用安宁八街的食用玫瑰现做鲜花饼，不加香精。",
    ),
    (
        "yunce-lab", "云测食品检测有限公司", "lab", "91530100MA6Q1W5E7", "云南省昆明市五华区",
        "CMA/CNAS 认可的第三方食品检测实验室。",
    ),
    (
        "dianleng-logistics", "滇冷链物流有限公司", "logistics", "91530111MA6R2X6F3", "云南省昆明市官渡区",
        "全程温控冷链，昆明到全国主要城市 48 小时内送达。",
    ),
]

# username, display name, organization slug, role; "admin" is the platform operator (superuser).
PEOPLE = [
    ("admin", "平台运营 王敏", "xinren", "owner"),
    ("mushroom", "山野菌菇 李桂芬", "shanye-mushroom", "owner"),
    ("tea", "景迈茶园 岩温", "jingmai-tea", "owner"),
    ("bakery", "鲜花饼坊 张晓梅", "dianwei-bakery", "owner"),
    ("lab", "云测检测 陈工", "yunce-lab", "owner"),
    ("coldchain", "滇冷链 赵师傅", "dianleng-logistics", "owner"),
]

# organization slug -> places: (key, name, latitude, longitude, address)
PLACES = {
    "shanye-mushroom": [
        ("nanhua", "南华县野生菌采集点", "25.192", "101.274", "云南省楚雄州南华县五街镇"),
        ("shangri-la", "香格里拉松茸山", "27.829", "99.706", "云南省迪庆州香格里拉市尼西乡"),
        ("packing", "山野菌菇昆明分拣中心", "25.021", "102.742", "云南省昆明市官渡区关上街道"),
    ],
    "jingmai-tea": [
        ("garden", "景迈山古茶园", "22.196", "100.029", "云南省普洱市澜沧县惠民镇景迈村"),
        ("factory", "景迈初制所", "22.213", "100.041", "云南省普洱市澜沧县惠民镇芒景村"),
    ],
    "dianwei-bakery": [
        ("rose-farm", "安宁八街食用玫瑰园", "24.693", "102.349", "云南省昆明市安宁市八街街道"),
        ("bakery", "滇味鲜花饼坊 呈贡工坊", "24.887", "102.821", "云南省昆明市呈贡区吴家营街道"),
    ],
    "yunce-lab": [
        ("lab", "云测食品检测实验室", "25.064", "102.683", "云南省昆明市五华区学府路"),
    ],
    "dianleng-logistics": [
        ("kunming-hub", "滇冷链昆明冷库", "24.985", "102.745", "云南省昆明市官渡区矣六街道"),
        ("shanghai-hub", "滇冷链上海分拨中心", "31.196", "121.598", "上海市浦东新区川沙新镇"),
        ("beijing-hub", "滇冷链北京分拨中心", "39.808", "116.514", "北京市大兴区旧宫镇"),
    ],
}

# merchant slug -> products: (gtin13, name, category, origin region, lat, lng, description, lots)
# lots: (lot as a strftime pattern of the production date, days ago produced, shelf life days, quantity,
#        items to mint, harvest place key)
PRODUCTS = {
    "shanye-mushroom": [
        (
            "6975830100012", "楚雄野生牛肝菌（鲜） 500g", "wild_mushroom", "云南省楚雄州南华县", "25.192", "101.274",
            "雨季清晨上山采摘的黄牛肝菌，菌盖 5–8 厘米，当天分拣，冷链 2–6℃ 发出。请彻底煮熟后食用。",
            [("NH%Y%m%d", 9, 7, 120, 60, "nanhua"), ("NH%Y%m%d", 2, 7, 80, 40, "nanhua")],
        ),
        (
            "6975830100029", "香格里拉松茸（鲜） 特级 250g", "wild_mushroom", "云南省迪庆州香格里拉市", "27.829",
            "99.706",
            "海拔 3000 米以上的原始松林出产，未开伞，长度 7–9 厘米。采摘后 24 小时内预冷。",
            # Expired yesterday (the lot that was once sold past its date), then one 即将过期 and one fresh.
            [("XG%Y%m%d", 6, 5, 60, 40, "shangri-la"), ("XG%Y%m%d", 3, 5, 30, 12, "shangri-la"),
             ("XG%Y%m%d", 1, 5, 30, 12, "shangri-la")],
        ),
    ],
    "jingmai-tea": [
        (
            "6975830200019", "景迈山古树生普 2026 春 357g", "tea", "云南省普洱市澜沧县景迈山", "22.196", "100.029",
            "布朗族茶农手采一芽二叶，铁锅杀青、日光晒青，石磨压饼。树龄两百年以上。",
            [("JM%YSP01", 230, 3650, 300, 80, "garden")],
        ),
    ],
    "dianwei-bakery": [
        (
            "6975830300016", "现烤玫瑰鲜花饼 6 枚装", "baked_goods", "云南省昆明市安宁市八街", "24.693", "102.349",
            "每只饼含 30% 以上当季食用玫瑰花酱，不添加香精色素，常温保存 15 天。",
            [("MG%Y%m%d", 4, 15, 200, 60, "rose-farm")],
        ),
    ],
}

# GTIN-13 -> the rest of a product's signed facts: (origin place, net content amount, unit, shelf life days,
# ingredients). Signed with the rest when the loader publishes the product (catalog/facts.py).
FACTS = {
    "6975830100012": ("五街镇野生菌采集点", "500", "g", 7, "黄牛肝菌"),
    "6975830100029": ("尼西乡松茸山", "250", "g", 5, "松茸"),
    "6975830200019": ("惠民镇景迈村古茶园", "357", "g", 3650, "云南大叶种晒青毛茶"),
    "6975830300016": ("八街街道食用玫瑰园", "6", "piece", 15, "小麦粉、食用玫瑰花酱（30%）、白砂糖、植物油、麦芽糖"),
}

# Lab reports the demo lab issues on each lot, by product category: (indicator, value or "ND", unit).
# Values are believable for clean produce: well under the limits, so the scorecards show 4–5 stars, with one
# indicator per product below 5★ so that "what would raise it" has something to say.
LAB_ACCREDITATION = "CMA 261512340217"
LAB_METHODS = {
    "wild_mushroom": "GB 5009.12-2017（铅）、GB 5009.15-2014（镉）、GB 5009.17-2021（汞）、GB 5009.11-2014（砷）、"
                     "GB 23200.113-2018（农残）",
    "tea": "GB 5009.12-2017（铅）、GB 23200.113-2018（农残）、GB 5009.3-2016（水分）",
    "baked_goods": "GB 5009.12-2017（铅）、GB 5009.22-2016（黄曲霉毒素 B1）、GB 4789.4-2016、GB 4789.10-2016",
}
LAB_RESULTS = {
    "wild_mushroom": [
        ("lead", "0.08", "mg/kg"), ("cadmium", "0.07", "mg/kg"), ("total_mercury", "ND", "mg/kg"),
        ("total_arsenic", "0.05", "mg/kg"), ("cypermethrin", "ND", "mg/kg"),
    ],
    "tea": [("lead", "0.62", "mg/kg"), ("chlorpyrifos", "ND", "mg/kg"), ("cypermethrin", "ND", "mg/kg"),
            ("moisture", "4.2", "%")],
    "baked_goods": [("lead", "0.04", "mg/kg"), ("aflatoxin_b1", "ND", "μg/kg"), ("salmonella", "ND", "/25g"),
                    ("staphylococcus_aureus", "ND", "CFU/g")],
}

# GTIN-13 -> published cost breakdown in yuan (raw material, processing, packaging, logistics, platform fees,
# profit); each adds up to the offer's price in orders/demo.py, and is published against that offer (ADR 0035).
COSTS = {
    "6975830100012": ("128.00", ("52.00", "9.60", "8.40", "26.00", "7.70", "24.30")),
    "6975830100029": ("398.00", ("218.00", "16.00", "14.00", "38.00", "23.90", "88.10")),
    "6975830200019": ("458.00", ("205.00", "64.00", "22.00", "12.00", "27.50", "127.50")),
    "6975830300016": ("68.00", ("21.50", "12.80", "7.20", "9.50", "4.10", "12.90")),
}
