{{%AUTOESCAPE context="HTML"}}
{{!-- One version of one case. An earlier version says so first and links to the current one. }}
<article class="case">
<p class="crumbs"><a href="{{CASE_EDITION_URL}}">{{CASE_EDITION_TITLE}}</a></p>
{{#NOT_CASE_IS_CURRENT}}
<p class="notice" role="note"><a href="{{CASE_CURRENT_URL}}">{{LABELS_EARLIER_VERSION}}</a></p>
{{/NOT_CASE_IS_CURRENT}}
<header>
<h1>{{CASE_TITLE}}</h1>
<p class="credit">{{CASE_CREDIT}}</p>
{{#CASE_PROVENANCE}}
<p class="meta">{{CASE_PROVENANCE}}</p>
{{/CASE_PROVENANCE}}
<dl class="facts">
<dt>{{LABELS_REFERENCE}}</dt>
<dd>{{CASE_REFERENCE}}</dd>
{{#HAS_CASE_AUTHORS}}
<dt>{{LABELS_AUTHORS}}</dt>
<dd><ul class="inline">
{{#CASE_AUTHORS}}
<li>{{VALUE}}</li>
{{/CASE_AUTHORS}}
</ul></dd>
{{/HAS_CASE_AUTHORS}}
<dt>{{LABELS_ORGANISATION}}</dt>
<dd>{{CASE_ORGANISATION}}</dd>
<dt>{{LABELS_COUNTRY}}</dt>
<dd>{{CASE_COUNTRY}}</dd>
{{#HAS_CASE_THEMES}}
<dt>{{LABELS_THEMES}}</dt>
<dd><ul class="tags">
{{#CASE_THEMES}}
<li>{{VALUE}}</li>
{{/CASE_THEMES}}
</ul></dd>
{{/HAS_CASE_THEMES}}
<dt>{{LABELS_EDITION}}</dt>
<dd><a href="{{CASE_EDITION_URL}}">{{CASE_EDITION_TITLE}}</a></dd>
<dt>{{LABELS_VERSION}}</dt>
<dd>{{CASE_VERSION}}</dd>
<dt>{{LABELS_PUBLISHED}}</dt>
<dd><time datetime="{{CASE_PUBLISHED_AT}}">{{CASE_PUBLISHED_AT}}</time></dd>
</dl>
</header>
{{#CASE_COVER}}
<figure class="cover">
<a href="{{CASE_COVER_URL}}"><img src="{{CASE_COVER_SRC}}" srcset="{{CASE_COVER_SRCSET}}" sizes="(max-width: 52rem) 100vw, 52rem" alt="{{CASE_COVER_ALT}}" decoding="async"></a>
<figcaption>{{CASE_COVER_CAPTION}}{{#CASE_COVER_CREDIT}} <span class="meta">{{CASE_COVER_CREDIT}}</span>{{/CASE_COVER_CREDIT}}</figcaption>
</figure>
{{/CASE_COVER}}
{{#CASE_ORIGINAL_NOTICE}}
<p class="note">{{CASE_ORIGINAL_NOTICE}}</p>
{{/CASE_ORIGINAL_NOTICE}}
{{#HAS_CASE_TRANSLATIONS}}
<nav class="translations" aria-labelledby="translations-heading">
<h2 id="translations-heading">{{LABELS_TRANSLATIONS}}</h2>
<ul>
{{#CASE_TRANSLATIONS}}
<li><a href="{{URL}}" hreflang="{{LANG}}" lang="{{LANG}}">{{LABEL}}</a> <span class="meta">{{PROVENANCE}}</span></li>
{{/CASE_TRANSLATIONS}}
</ul>
</nav>
{{/HAS_CASE_TRANSLATIONS}}
{{#CASE_SECTIONS}}
<section>
<h2>{{HEADING}}</h2>
{{#PARAGRAPHS}}
<p>{{VALUE}}</p>
{{/PARAGRAPHS}}
</section>
{{/CASE_SECTIONS}}
{{#HAS_CASE_PHOTOS}}
<section class="photos" aria-labelledby="photos-heading">
<h2 id="photos-heading">{{LABELS_PHOTOS}}</h2>
{{#CASE_PHOTOS}}
<figure>
<a href="{{URL}}"><img src="{{SRC}}" srcset="{{SRCSET}}" sizes="(max-width: 52rem) 100vw, 52rem" alt="{{ALT}}" loading="lazy" decoding="async"></a>
<figcaption>{{CAPTION}}{{#CREDIT}} <span class="meta">{{CREDIT}}</span>{{/CREDIT}}</figcaption>
</figure>
{{/CASE_PHOTOS}}
</section>
{{/HAS_CASE_PHOTOS}}
{{#HAS_CASE_DOWNLOADS}}
<section aria-labelledby="downloads-heading">
<h2 id="downloads-heading">{{LABELS_DOWNLOADS}}</h2>
<ul class="downloads">
{{#CASE_DOWNLOADS}}
<li><a href="{{URL}}">{{LABEL}}</a> <span class="meta">{{SIZE}}</span></li>
{{/CASE_DOWNLOADS}}
</ul>
</section>
{{/HAS_CASE_DOWNLOADS}}
<section aria-labelledby="cite-heading">
<h2 id="cite-heading">{{LABELS_CITE_THIS_CASE}}</h2>
<p class="citation">{{CASE_CITATION}}</p>
</section>
</article>
