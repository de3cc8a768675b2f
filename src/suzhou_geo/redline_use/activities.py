"""The limited human activities (有限人为活动) a redline allows, and which item an activity's words match.

自然资源部 生态环境部 国家林业和草原局《关于加强生态保护红线管理的通知（试行）》
(自然资发〔2022〕142号) allows, outside the core zones of nature reserves, only a
list of limited human activities that do not damage the ecological function.
:data:`ACTIVITIES` summarises the items of that list (not the wording: the
notice governs); :func:`activity_clause` says which item the words of an
activity column match, **for reference**: the library decides no legality —
whether a project is such an activity, and whether it is unavoidable, is for
the 不可避让论证 and the provincial 认定.

Examples
--------
>>> activity_clause("线性基础设施（公路）")
'《关于加强生态保护红线管理的通知（试行）》有限人为活动第6项：必须且无法避让、符合县级以上国土空间规划的线性基础设施、通讯和防洪、供水设施建设，船舶航行、航道疏浚清淤；已有合法水利、交通运输设施的运行维护改造（按“线性基础设施”对应，仅供参考）'
>>> activity_clause("工业厂房")[:25]
'未对应到《关于加强生态保护红线管理的通知（试行）》'
>>> activity_clause(None)
''
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["Activity", "ACTIVITIES", "NOTICE", "NOTICE_FULL", "activity_clause", "match_activity"]

#: The notice, by title.
NOTICE = "《关于加强生态保护红线管理的通知（试行）》"
#: The notice with its issuers and number.
NOTICE_FULL = f"自然资源部 生态环境部 国家林业和草原局{NOTICE}（自然资发〔2022〕142号）"


@dataclass(frozen=True)
class Activity:
    """One item of the notice's list of limited human activities.

    Attributes
    ----------
    item : int
        Its number in the list.
    summary : str
        What it allows, summarised (the notice's wording governs).
    keywords : tuple of str
        Words that, found in an activity's description, point to this item.
    """

    item: int
    summary: str
    keywords: tuple[str, ...]

    def clause(self) -> str:
        """Cite the item by document title: ``'《…》有限人为活动第6项：…'``."""
        return f"{NOTICE}有限人为活动第{self.item}项：{self.summary}"


#: The list of limited human activities of the notice (summaries), in its order.
ACTIVITIES: tuple[Activity, ...] = (
    Activity(1, "管护巡护、保护执法、科学研究、调查监测、测绘导航、防灾减灾救灾、军事国防、疫情防控等活动及必要设施",
             ("管护", "巡护", "执法", "科学研究", "科研", "调查监测", "监测", "测绘", "导航", "防灾", "减灾", "救灾",
              "军事", "国防", "疫情")),
    Activity(2, "原住居民和其他合法权益主体在不扩大现有建设用地、耕地、水产养殖规模和放牧强度的前提下开展种植、"
                "放牧、捕捞、养殖等活动，修筑生产生活设施",
             ("原住居民", "种植", "放牧", "捕捞", "养殖")),
    Activity(3, "经依法批准的考古调查发掘、古生物化石调查发掘、标本采集和文物保护活动",
             ("考古", "化石", "标本", "文物")),
    Activity(4, "按规定对人工商品林进行抚育采伐、树种更新，依法开展的竹林采伐经营",
             ("商品林", "抚育", "采伐", "竹林", "树种更新")),
    Activity(5, "不破坏生态功能的适度参观旅游、科普宣教及符合相关规划的配套性服务设施和必要公共设施建设及维护",
             ("参观", "旅游", "游览", "科普", "宣教", "文旅")),
    Activity(6, "必须且无法避让、符合县级以上国土空间规划的线性基础设施、通讯和防洪、供水设施建设，"
                "船舶航行、航道疏浚清淤；已有合法水利、交通运输设施的运行维护改造",
             ("线性基础设施", "公路", "道路", "铁路", "轨道", "桥梁", "隧道", "管线", "管道", "输电", "电力线路",
              "电缆", "通讯", "通信", "防洪", "堤防", "供水", "航道", "疏浚", "清淤", "水利")),
    Activity(7, "地质调查与矿产资源勘查开采", ("地质调查", "矿产", "勘查", "采矿")),
    Activity(8, "依据县级以上国土空间规划和生态保护修复专项规划开展的生态修复", ("生态修复", "生态保护修复")),
    Activity(9, "依据法律法规和国界管理制度协定开展的边境边界通视道清理、执法管理、边界和界桩维护等活动",
             ("边境", "边界通视", "界桩")),
    Activity(10, "法律法规规定允许的其他人为活动", ()),
)


def match_activity(text: Any) -> tuple[Activity, str] | None:
    """Find the first item whose keyword occurs in *text*: (item, keyword), or None when none does.

    Items are tried in the order of the list, and within an item the longest
    keyword first; item 10 (other activities allowed by law) is never matched
    by words.

    Examples
    --------
    >>> act, word = match_activity("供水工程")
    >>> act.item, word
    (6, '供水')
    >>> match_activity("住宅开发") is None
    True
    """
    if not isinstance(text, str) or not text.strip():
        return None
    for act in ACTIVITIES:
        for word in sorted(act.keywords, key=len, reverse=True):
            if word in text:
                return act, word
    return None


def activity_clause(text: Any) -> str:
    """Return the clause the words of an activity point to, cited by title, or why there is none.

    Parameters
    ----------
    text : str or None
        The activity as the input gives it (``"线性基础设施（公路）"``).

    Returns
    -------
    str
        ``""`` for no activity; otherwise the item, or that no listed item
        matched — always marked as a reference, not a finding.
    """
    if not isinstance(text, str) or not text.strip():
        return ""
    found = match_activity(text)
    if found is None:
        return (f"未对应到{NOTICE}所列有限人为活动（按关键词，仅供参考；是否允许以主管部门认定为准） / matches no "
                "listed limited human activity by its words (for reference; the competent authority decides)")
    act, word = found
    return f"{act.clause()}（按“{word}”对应，仅供参考）"
