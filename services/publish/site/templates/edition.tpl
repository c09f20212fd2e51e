{{%AUTOESCAPE context="HTML"}}
{{!-- One edition: what it is, its downloads and feed, its cases. }}
<p class="crumbs"><a href="{{EDITIONS_URL}}">{{LABELS_EDITIONS}}</a></p>
<h1>{{EDITION_TITLE}}</h1>
<p class="meta"><span>{{LABELS_PUBLISHED}} <time datetime="{{EDITION_PUBLISHED_AT}}">{{EDITION_PUBLISHED_AT}}</time></span> <span>{{LABELS_CASES}}: {{EDITION_CASES_COUNT}}</span></p>
{{#EDITION_DESCRIPTION}}
<p>{{VALUE}}</p>
{{/EDITION_DESCRIPTION}}
{{#HAS_DOWNLOADS}}
<section aria-labelledby="downloads-heading">
<h2 id="downloads-heading">{{LABELS_DOWNLOADS}}</h2>
<ul class="downloads">
{{#DOWNLOADS}}
<li><a href="{{URL}}">{{LABEL}}</a> <span class="meta">{{FORMAT}}</span></li>
{{/DOWNLOADS}}
</ul>
</section>
{{/HAS_DOWNLOADS}}
{{#FEED_URL}}
<p class="feed"><a href="{{FEED_URL}}" type="application/atom+xml">{{LABELS_FEED}}</a></p>
{{/FEED_URL}}
{{#HAS_CASES}}
<section aria-labelledby="cases-heading">
<h2 id="cases-heading">{{LABELS_CASES}}</h2>
<ol class="list cases">
{{#CASES}}
<li>
<h3><a href="{{URL}}">{{TITLE}}</a></h3>
<p class="meta"><span>{{REFERENCE}}</span> <span>{{COUNTRY}}</span> <span>{{ORGANISATION}}</span></p>
{{#HAS_THEMES}}
<ul class="tags" aria-label="{{LABELS_THEMES}}">
{{#THEMES}}
<li>{{VALUE}}</li>
{{/THEMES}}
</ul>
{{/HAS_THEMES}}
<p>{{SUMMARY}}</p>
</li>
{{/CASES}}
</ol>
</section>
{{/HAS_CASES}}
