"""The region-code snapshot (warmth/core/data/regions.tsv) and its lookup API."""

from __future__ import annotations

import datetime as dt
import importlib.metadata
import importlib.util
import sys
from pathlib import Path

import pytest

from warmth.core import regions

ROOT = Path(__file__).resolve().parents[2]
TSV = ROOT / "warmth" / "core" / "data" / "regions.tsv"


def test_the_snapshot_header_names_its_source_and_date():
    info = regions.snapshot_info()
    assert info["source"].startswith("python-stdnum ")
    assert "stdnum/cn/loc.dat" in info["source"]
    assert "中华人民共和国行政区划代码_(1区)" in info["source_header"]
    assert "中华人民共和国行政区划代码_(8区)" in info["source_header"]
    assert "zh.wikipedia.org" in info["source_header"]
    dt.date.fromisoformat(info["snapshot_date"][:10])
    dt.date.fromisoformat(info["generated"][:10])
    assert "LGPL-2.1" in info["license"]
    assert "CC BY-SA" in info["license"]


def test_snapshot_info_returns_a_copy():
    regions.snapshot_info()["source"] = "changed"
    assert regions.snapshot_info()["source"] != "changed"


def test_the_snapshot_file_is_utf8_with_a_header_row_and_six_digit_codes():
    lines = [line for line in TSV.read_text(encoding="utf-8").splitlines() if not line.startswith("#")]
    assert lines[0].split("\t") == ["code", "name", "province", "prefecture", "start_year", "end_year"]
    for line in lines[1:]:
        code, name, province, _prefecture, start, end = line.split("\t")
        assert len(code) == 6 and code.isdigit()
        assert name and province
        assert start == "" or (len(start) == 4 and start.isdigit())
        assert end == "" or (len(end) == 4 and end.isdigit())


def test_510107_is_wuhou_district_of_chengdu_sichuan():
    [region] = regions.lookup("510107")
    assert region.name == "武侯区"
    assert region.province == "四川省"
    assert region.prefecture == "成都市"
    assert region.level == "county"
    assert region.full_name == "四川省成都市武侯区"
    assert regions.current("510107") == region


def test_110103_chongwen_was_abolished_in_2010():
    [region] = regions.lookup("110103")
    assert region.name == "崇文区"
    assert region.end_year == 2010
    assert regions.current("110103") is None
    assert regions.latest("110103") == region
    assert regions.is_known("110103")


def test_a_code_may_have_had_several_names_over_time():
    names = [(r.name, r.start_year, r.end_year) for r in regions.lookup("120110")]
    assert names == [("东郊区", None, 1991), ("东丽区", 1992, None)]
    assert regions.current("120110").name == "东丽区"
    assert [r.name for r in regions.lookup("120110") if r.in_use_in(1980)] == ["东郊区"]
    assert [r.name for r in regions.lookup("120110") if r.in_use_in(2000)] == ["东丽区"]


def test_lookup_of_an_unknown_code_is_an_empty_list():
    assert regions.lookup("110199") == []
    assert regions.lookup("") == []
    assert regions.current("110199") is None
    assert regions.latest("110199") is None
    assert not regions.is_known("110199")
    assert not regions.is_known("990426")


def test_lookup_returns_a_fresh_list_each_time():
    regions.lookup("510107").clear()
    assert len(regions.lookup("510107")) == 1


def test_no_code_has_more_than_one_current_name():
    for code in regions.all_codes():
        assert sum(r.end_year is None for r in regions.lookup(code)) <= 1, code


def test_levels_follow_the_trailing_zeros():
    assert regions.current("510000").level == "province"
    assert regions.current("510100").level == "prefecture"
    assert regions.current("510107").level == "county"


@pytest.mark.parametrize(
    ("code", "full_name"),
    [
        ("110000", "北京市"),
        ("110105", "北京市朝阳区"),  # 110100 市辖区 is skipped
        ("500101", "重庆市万州区"),
        ("510100", "四川省成都市"),
        ("510107", "四川省成都市武侯区"),
        ("429004", "湖北省仙桃市"),  # 429000 省直辖县级行政单位 is skipped
        ("440113", "广东省广州市番禺区"),
        ("810000", "香港特别行政区"),
    ],
)
def test_full_names_skip_placeholders_and_repeats(code, full_name):
    assert regions.current(code).full_name == full_name


def test_in_use_in_treats_open_ends_as_unbounded():
    chongwen = regions.lookup("110103")[0]
    assert chongwen.in_use_in(1900)
    assert chongwen.in_use_in(2010)
    assert not chongwen.in_use_in(2011)
    fangshan = regions.lookup("110111")[0]  # [1986-]房山区
    assert not fangshan.in_use_in(1985)
    assert fangshan.in_use_in(1986)
    assert fangshan.in_use_in(2100)


def test_an_abolished_code_is_valid_for_births_up_to_its_last_year():
    assert regions.valid_for_birth_year("110103", 1980)
    assert regions.valid_for_birth_year("110103", 2010)
    assert not regions.valid_for_birth_year("110103", 2011)
    assert not regions.valid_for_birth_year("110103", 2015)


def test_the_start_year_is_not_checked_against_the_birth_year():
    # 房山区 exists since 1986; someone born in 1950 who registered there later carries its code
    assert regions.valid_for_birth_year("110111", 1950)


def test_a_code_still_in_use_is_valid_for_any_birth_year():
    assert regions.valid_for_birth_year("120110", 1950)  # renamed, still in use
    assert regions.valid_for_birth_year("510107", 2024)


def test_an_unknown_code_is_valid_for_no_birth_year():
    assert not regions.valid_for_birth_year("110199", 1980)


def test_there_are_34_province_level_codes():
    provinces = regions.provinces()
    codes = [p.code for p in provinces]
    assert len(provinces) == 34  # 23 provinces incl. 台湾, 5 autonomous regions, 4 municipalities, 2 SARs
    assert codes == sorted(codes)
    assert codes[0] == "110000" and codes[-1] == "820000"
    assert all(p.level == "province" and p.end_year is None for p in provinces)
    assert {"460000", "500000", "710000", "810000", "820000"} <= set(codes)


def test_the_children_of_sichuan_are_its_prefectures():
    kids = regions.children("510000")
    assert ("510100", "成都市") in [(k.code, k.name) for k in kids]
    assert all(k.level == "prefecture" and k.code.startswith("51") for k in kids)
    assert all(k.end_year is None for k in kids)


def test_the_children_of_chengdu_are_its_counties():
    kids = regions.children("510100")
    assert ("510107", "武侯区") in [(k.code, k.name) for k in kids]
    assert all(k.level == "county" and k.code.startswith("5101") for k in kids)


def test_the_children_of_beijing_are_its_districts_directly():
    kids = regions.children("110000")
    pairs = [(k.code, k.name) for k in kids]
    assert ("110105", "朝阳区") in pairs
    assert ("110103", "崇文区") not in pairs  # abolished
    assert all(k.level == "county" for k in kids)
    assert not any(k.name in regions.PLACEHOLDER_NAMES for k in kids)
    assert [k.code for k in kids] == sorted(k.code for k in kids)


def test_province_administered_county_level_cities_sit_directly_under_the_province():
    codes = [k.code for k in regions.children("420000")]
    assert "429004" in codes  # 仙桃市
    assert "429000" not in codes


def test_counties_and_unknown_codes_have_no_children():
    assert regions.children("510107") == []
    assert regions.children("999999") == []
    assert regions.children("51") == []


def _load_build_script():
    pytest.importorskip("stdnum")
    name = "_warmth_scripts_build_regions"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / "build_regions.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module  # dataclasses look their module up while the class is created
        spec.loader.exec_module(module)
    return sys.modules[name]


def test_the_snapshot_matches_the_installed_python_stdnum_data():
    build = _load_build_script()
    info = regions.snapshot_info()
    assert info["source"].startswith(f"python-stdnum {importlib.metadata.version('python-stdnum')},")
    _header, provinces, entries = build.parse_loc_dat(build.source_path().read_text(encoding="utf-8"))
    rows = build.build_rows(provinces, entries, last_year=int(info["generated"][:4]))
    expected = [
        (r["code"], r["name"], r["province"], r["prefecture"], r["start_year"], r["end_year"]) for r in rows
    ]
    actual = [
        (
            r.code,
            r.name,
            r.province,
            r.prefecture,
            "" if r.start_year is None else str(r.start_year),
            "" if r.end_year is None else str(r.end_year),
        )
        for code in regions.all_codes()
        for r in regions.lookup(code)
    ]
    assert sorted(actual) == sorted(expected)


def test_the_build_script_parses_every_form_of_name():
    build = _load_build_script()
    text = (
        "# Downloaded from\n# https://example.org\n"
        '11 province="北京市"\n'
        '  0000 county="北京市"\n'
        '  0100 county="市辖区"\n'
        '  0103 county="[-2010]崇文区"\n'
        '  0110 county="[-1991]东郊区,[1992-]东丽区"\n'
        '  0111 county="[1986-]房山区"\n'
        '  0112 county="[1983-1994]某区"\n'
    )
    header, provinces, entries = build.parse_loc_dat(text)
    assert header == ["Downloaded from", "https://example.org"]
    assert provinces == {"11": "北京市"}
    assert [(e.code, e.name, e.start_year, e.end_year) for e in entries] == [
        ("110000", "北京市", None, None),
        ("110100", "市辖区", None, None),
        ("110103", "崇文区", None, 2010),
        ("110110", "东郊区", None, 1991),
        ("110110", "东丽区", 1992, None),
        ("110111", "房山区", 1986, None),
        ("110112", "某区", 1983, 1994),
    ]
    rows = build.build_rows(provinces, entries, last_year=2025)
    assert rows[3] == {
        "code": "110110",
        "name": "东郊区",
        "province": "北京市",
        "prefecture": "市辖区",
        "start_year": "",
        "end_year": "1991",
    }


def test_the_build_script_rejects_an_unrecognised_line():
    build = _load_build_script()
    with pytest.raises(ValueError, match="unrecognised"):
        build.parse_loc_dat('11 province="北京市"\n  01 county="x"\n')
