{{%AUTOESCAPE context="HTML"}}
{{!-- The front page: search, the editions, the latest cases. }}
<h1>{{TITLE}}</h1>
{{#DESCRIPTION}}
<p class="lead">{{DESCRIPTION}}</p>
{{/DESCRIPTION}}
<form class="search" role="search" method="get" action="{{SEARCH_URL}}">
{{#SEARCH_PARAMS}}
<input type="hidden" name="{{NAME}}" value="{{VALUE}}">
{{/SEARCH_PARAMS}}
<label for="q">{{LABELS_SEARCH_CASES}}</label>
<div class="field">
<input id="q" type="search" name="q">
<button type="submit">{{LABELS_SEARCH}}</button>
</div>
</form>
{{#HAS_EDITIONS}}
<section aria-labelledby="editions-heading">
<h2 id="editions-heading">{{LABELS_EDITIONS}}</h2>
<ul class="list">
{{#EDITIONS}}
<li><a href="{{URL}}">{{TITLE}}</a>
<p class="meta"><span>{{LABELS_CASES}}: {{CASES}}</span> <span>{{LABELS_PUBLISHED}} <time datetime="{{PUBLISHED_AT}}">{{PUBLISHED_AT}}</time></span></p></li>
{{/EDITIONS}}
</ul>
</section>
{{/HAS_EDITIONS}}
{{#HAS_LATEST}}
<section aria-labelledby="latest-heading">
<h2 id="latest-heading">{{LABELS_LATEST_CASES}}</h2>
<ul class="list">
{{#LATEST}}
<li><a href="{{URL}}">{{TITLE}}</a>
<p class="meta"><span>{{COUNTRY}}</span> <span>{{EDITION_TITLE}}</span></p></li>
{{/LATEST}}
</ul>
</section>
{{/HAS_LATEST}}
