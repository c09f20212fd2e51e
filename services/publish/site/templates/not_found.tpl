{{%AUTOESCAPE context="HTML"}}
{{!-- The page for an address that leads nowhere: say so, offer the way back and a search. }}
<h1>{{LABELS_PAGE_NOT_FOUND}}</h1>
<p>{{LABELS_PAGE_NOT_FOUND_TEXT}}</p>
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
<ul class="inline">
<li><a href="{{HOME_URL}}">{{LABELS_HOME}}</a></li>
<li><a href="{{EDITIONS_URL}}">{{LABELS_ALL_EDITIONS}}</a></li>
</ul>
