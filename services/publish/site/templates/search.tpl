{{%AUTOESCAPE context="HTML"}}
{{!-- Search: the form, the results with their hits marked, the facets to narrow them, the pages. }}
<h1>{{TITLE}}</h1>
<form class="search" role="search" method="get" action="{{SEARCH_URL}}">
{{#SEARCH_PARAMS}}
<input type="hidden" name="{{NAME}}" value="{{VALUE}}">
{{/SEARCH_PARAMS}}
<label for="q">{{LABELS_SEARCH_CASES}}</label>
<div class="field">
<input id="q" type="search" name="q" value="{{QUERY}}">
<button type="submit">{{LABELS_SEARCH}}</button>
</div>
</form>
<div class="search-layout">
<section class="results" aria-labelledby="results-heading">
<h2 id="results-heading">{{LABELS_RESULTS}} <span class="count">({{TOTAL}})</span></h2>
{{#NO_RESULTS}}
<p>{{LABELS_NO_RESULTS}}</p>
<p class="meta">{{LABELS_NO_RESULTS_HINT}}</p>
{{/NO_RESULTS}}
{{#HAS_RESULTS}}
<ol class="list">
{{#RESULTS}}
<li>
<h3><a href="{{URL}}">{{TITLE}}</a></h3>
<p class="meta"><span>{{EDITION_TITLE}}</span> <span>{{COUNTRY}}</span></p>
<p class="snippet">{{#SNIPPET}}{{#HIT}}<mark>{{TEXT}}</mark>{{/HIT}}{{#NOT_HIT}}{{TEXT}}{{/NOT_HIT}}{{/SNIPPET}}</p>
</li>
{{/RESULTS}}
</ol>
{{/HAS_RESULTS}}
{{#HAS_PAGES}}
<nav class="pages" aria-label="{{LABELS_PAGES}}">
<ul>
{{#PAGES}}
{{#CURRENT}}
<li><a href="{{URL}}" aria-current="page">{{NUMBER}}</a></li>
{{/CURRENT}}
{{#NOT_CURRENT}}
<li><a href="{{URL}}">{{NUMBER}}</a></li>
{{/NOT_CURRENT}}
{{/PAGES}}
</ul>
</nav>
{{/HAS_PAGES}}
</section>
{{#HAS_FACETS}}
<aside class="facets" aria-labelledby="facets-heading">
<h2 id="facets-heading">{{LABELS_REFINE}}</h2>
{{#FACETS}}
<section>
<h3>{{LABEL}}</h3>
<ul>
{{#VALUES}}
{{#SELECTED}}
<li class="selected"><a href="{{URL}}" aria-current="true">{{LABEL}} <span class="count">{{COUNT}}</span><span class="vh"> ({{LABELS_REMOVE_FILTER}})</span></a></li>
{{/SELECTED}}
{{#NOT_SELECTED}}
<li><a href="{{URL}}">{{LABEL}} <span class="count">{{COUNT}}</span></a></li>
{{/NOT_SELECTED}}
{{/VALUES}}
</ul>
</section>
{{/FACETS}}
</aside>
{{/HAS_FACETS}}
</div>
